using System.Globalization;
using System.Text;

namespace Fhir.Phr.Import.Hl7v2;

/// <summary>
/// The encoding characters of one message, taken from MSH-1 and MSH-2 (HL7 v2.5.1 chapter 2, message delimiters). A
/// delimiter the sender left out is <see cref="Absent"/>, so it never matches any text.
/// </summary>
public sealed record Hl7Delimiters(char Field, char Component, char Repetition, char Escape, char SubComponent)
{
    /// <summary>A noncharacter (U+FFFF) stands for "no such delimiter": it cannot occur in decoded text.</summary>
    public const char Absent = '\uFFFF';

    public static Hl7Delimiters Default { get; } = new('|', '^', '~', '\\', '&');

    /// <summary>MSH-2 as it should be written for these delimiters.</summary>
    public string EncodingCharacters
    {
        get
        {
            var builder = new StringBuilder(4);
            foreach (var c in (ReadOnlySpan<char>)[Component, Repetition, Escape, SubComponent])
            {
                if (c == Absent)
                {
                    break;
                }

                builder.Append(c);
            }

            return builder.ToString();
        }
    }

    /// <summary>
    /// Writes <paramref name="text"/> so that none of its characters is read as a delimiter
    /// (HL7 v2.5.1 2.7); line breaks become \.br\.
    /// </summary>
    public string EscapeText(string text)
    {
        var builder = new StringBuilder(text.Length + 8);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == Field)
            {
                builder.Append(Escape).Append('F').Append(Escape);
            }
            else if (c == Component)
            {
                builder.Append(Escape).Append('S').Append(Escape);
            }
            else if (c == SubComponent)
            {
                builder.Append(Escape).Append('T').Append(Escape);
            }
            else if (c == Repetition)
            {
                builder.Append(Escape).Append('R').Append(Escape);
            }
            else if (c == Escape)
            {
                builder.Append(Escape).Append('E').Append(Escape);
            }
            else if (c == '\r' || c == '\n')
            {
                if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
                {
                    i++;
                }

                builder.Append(Escape).Append(".br").Append(Escape);
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    internal static bool TryParse(string mshLine, out Hl7Delimiters delimiters)
    {
        delimiters = Default;
        if (mshLine.Length < 4)
        {
            return false;
        }

        var field = mshLine[3];
        if (!IsUsableDelimiter(field))
        {
            return false;
        }

        Span<char> encoding = [Absent, Absent, Absent, Absent];
        var count = 0;
        for (var i = 4; i < mshLine.Length && mshLine[i] != field && count < encoding.Length; i++)
        {
            var c = mshLine[i];
            if (!IsUsableDelimiter(c) || c == field || encoding[..count].Contains(c))
            {
                return false;
            }

            encoding[count++] = c;
        }

        // Component and repetition separators are needed to read any composite field. HL7 v2.5.1
        // chapter 2 lets a sender leave out the trailing escape and sub-component characters when
        // it does not use them; they are then Absent and never match.
        if (count < 2)
        {
            return false;
        }

        delimiters = new Hl7Delimiters(field, encoding[0], encoding[1], encoding[2], encoding[3]);
        return true;
    }

    private static bool IsUsableDelimiter(char c) =>
        c is > ' ' and < '\u007F' && !char.IsLetterOrDigit(c);

    /// <summary>Decodes escape sequences (HL7 v2.5.1 2.7); unknown or malformed ones stay as written.</summary>
    internal string Unescape(string raw, Encoding encoding)
    {
        if (Escape == Absent || raw.IndexOf(Escape, StringComparison.Ordinal) < 0)
        {
            return raw;
        }

        var builder = new StringBuilder(raw.Length);
        var i = 0;
        while (i < raw.Length)
        {
            var c = raw[i];
            var end = c == Escape ? raw.IndexOf(Escape, i + 1) : -1;
            if (end < 0)
            {
                builder.Append(c);
                i++;
                continue;
            }

            var sequence = raw.AsSpan(i + 1, end - i - 1);
            if (!TryAppendEscape(sequence, builder, encoding))
            {
                // Kept literally, including both escape characters, so nothing the sender wrote is lost.
                builder.Append(raw, i, end - i + 1);
            }

            i = end + 1;
        }

        return builder.ToString();
    }

    private bool TryAppendEscape(ReadOnlySpan<char> sequence, StringBuilder builder, Encoding encoding)
    {
        switch (sequence)
        {
            case "F":
                builder.Append(Field);
                return true;
            case "S":
                builder.Append(Component);
                return true;
            case "T":
                builder.Append(SubComponent);
                return true;
            case "R":
                builder.Append(Repetition);
                return true;
            case "E":
                builder.Append(Escape);
                return true;
            case ".br":
                builder.Append('\n');
                return true;

            // HL7 v2.5.1 2.7: highlighting on (H) and off (N): plain text has no highlighting, so they are dropped.
            case "H" or "N":
                return true;
        }

        // HL7 v2.5.1 2.7: \Xdddd...\ is hexadecimal bytes, read in the message's character set.
        if (sequence.Length >= 3 && sequence[0] == 'X' && sequence.Length % 2 == 1)
        {
            var hex = sequence[1..];
            var bytes = new byte[hex.Length / 2];
            for (var b = 0; b < bytes.Length; b++)
            {
                if (!byte.TryParse(hex.Slice(b * 2, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out bytes[b]))
                {
                    return false;
                }
            }

            builder.Append(encoding.GetString(bytes));
            return true;
        }

        return false;
    }
}
