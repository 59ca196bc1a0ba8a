using System.Text;
using System.Text.Unicode;

namespace Fhir.Phr.Import.Hl7v2;

/// <summary>
/// Reads ER7-encoded HL7 v2 (HL7 v2.5.1 chapter 2): one or more messages, optionally in MLLP
/// frames or FHS/BHS batch wrappers. Bad input yields issues, never an exception.
/// </summary>
public static class Hl7Parser
{
    private const byte MllpStart = 0x0B;
    private const byte MllpEnd = 0x1C;

    /// <summary>Parses bytes whose character set is read from each message's MSH-18.</summary>
    /// <returns>True when at least one message was read and no issue is an error.</returns>
    public static bool TryParse(ReadOnlySpan<byte> input, out IReadOnlyList<Hl7Message> messages, out IReadOnlyList<Hl7Issue> issues)
    {
        var found = new List<Hl7Issue>();
        var parsed = new List<Hl7Message>();
        messages = parsed;
        issues = found;
        if (input.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            input = input[3..];
        }

        var lines = new List<(Range Range, string Prefix)>();
        var start = 0;
        for (var i = 0; i <= input.Length; i++)
        {
            if (i == input.Length || IsLineBreak(input[i]))
            {
                if (i > start)
                {
                    lines.Add((new Range(start, i), Prefix(input[start..i])));
                }

                start = i + 1;
            }
        }

        var groups = Group(lines, line => line.Prefix, found);
        for (var index = 0; index < groups.Count; index++)
        {
            var group = groups[index];
            var encoding = CharacterSet(Encoding.Latin1.GetString(input[group[0].Range]), out var named);
            if (named is not null)
            {
                found.Add(new Hl7Issue(Hl7IssueCode.UnsupportedCharacterSet, Hl7IssueSeverity.Warning,
                    $"MSH-18 character set '{named}' is not supported; read as UTF-8", index, "MSH", 1, 18));
            }

            if (encoding.CodePage == Encoding.UTF8.CodePage && !AllValidUtf8(input, group))
            {
                // Senders often label Latin-1 text as UTF-8 or not at all; Latin-1 maps every byte, so nothing is lost.
                found.Add(new Hl7Issue(Hl7IssueCode.InvalidCharacterEncoding, Hl7IssueSeverity.Warning,
                    "message is not valid UTF-8; read as ISO 8859-1", index));
                encoding = Encoding.Latin1;
            }

            var decoded = new List<string>(group.Count);
            foreach (var line in group)
            {
                decoded.Add(encoding.GetString(input[line.Range]));
            }

            AddMessage(index, decoded, encoding, parsed, found);
        }

        return Finish(input.IsEmpty, parsed, found);
    }

    /// <summary>Parses text that is already decoded; MSH-18 then only matters for \X..\ escapes.</summary>
    public static bool TryParse(string input, out IReadOnlyList<Hl7Message> messages, out IReadOnlyList<Hl7Issue> issues)
    {
        ArgumentNullException.ThrowIfNull(input);
        var found = new List<Hl7Issue>();
        var parsed = new List<Hl7Message>();
        messages = parsed;
        issues = found;
        var lines = input.Split(['\r', '\n', (char)MllpStart, (char)MllpEnd], StringSplitOptions.RemoveEmptyEntries).ToList();
        if (lines.Count > 0 && lines[0].StartsWith('\uFEFF'))
        {
            lines[0] = lines[0][1..];
        }

        var groups = Group(lines, Prefix, found);
        for (var index = 0; index < groups.Count; index++)
        {
            AddMessage(index, groups[index], CharacterSet(groups[index][0], out _), parsed, found);
        }

        return Finish(input.Length == 0, parsed, found);
    }

    /// <summary>Both HL7 segment terminators in use (CR per HL7 v2.5.1 chapter 2, LF and CRLF from files) and the MLLP frame bytes.</summary>
    private static bool IsLineBreak(byte b) => b is (byte)'\r' or (byte)'\n' or MllpStart or MllpEnd;

    private static bool AllValidUtf8(ReadOnlySpan<byte> input, List<(Range Range, string Prefix)> lines)
    {
        foreach (var line in lines)
        {
            if (!Utf8.IsValid(input[line.Range]))
            {
                return false;
            }
        }

        return true;
    }

    private static string Prefix(ReadOnlySpan<byte> line) =>
        line.Length >= 3 ? Encoding.Latin1.GetString(line[..3]) : string.Empty;

    private static string Prefix(string line) => line.Length >= 3 ? line[..3] : string.Empty;

    /// <summary>
    /// Splits lines into messages at each MSH. File and batch header/trailer segments
    /// (FHS, BHS, BTS, FTS; HL7 v2.5.1 2.10 batch protocol) only wrap messages, so they end one and are dropped.
    /// </summary>
    private static List<List<T>> Group<T>(List<T> lines, Func<T, string> prefix, List<Hl7Issue> issues)
    {
        var groups = new List<List<T>>();
        List<T>? current = null;
        var outside = 0;
        foreach (var line in lines)
        {
            switch (prefix(line))
            {
                case "MSH":
                    ReportOutside(ref outside, groups.Count, issues);
                    current = [line];
                    groups.Add(current);
                    break;
                case "FHS" or "BHS" or "BTS" or "FTS":
                    current = null;
                    break;
                default:
                    if (current is not null)
                    {
                        current.Add(line);
                    }
                    else
                    {
                        outside++;
                    }

                    break;
            }
        }

        ReportOutside(ref outside, groups.Count, issues);
        return groups;
    }

    private static void ReportOutside(ref int outside, int messageIndex, List<Hl7Issue> issues)
    {
        if (outside > 0)
        {
            issues.Add(new Hl7Issue(Hl7IssueCode.SegmentOutsideMessage, Hl7IssueSeverity.Warning,
                $"{outside} line(s) before message {messageIndex} are not inside a message (no MSH before them); skipped", messageIndex));
            outside = 0;
        }
    }

    /// <summary>
    /// MSH-18 (HL7 v2.5.1 table 0211). Empty means the default; "UNICODE UTF-8" and "8859/1" are
    /// read; anything else is reported in <paramref name="unsupported"/> and read as UTF-8.
    /// </summary>
    private static Encoding CharacterSet(string mshLine, out string? unsupported)
    {
        unsupported = null;
        if (!Hl7Delimiters.TryParse(mshLine, out var delimiters))
        {
            return Encoding.UTF8;
        }

        // MSH-n is split part n-1, because MSH-1 is the separator itself.
        var value = Hl7Context.Part(Hl7Context.Part(Hl7Context.Part(mshLine, delimiters.Field, 17), delimiters.Repetition, 0), delimiters.Component, 0).Trim();
        switch (value.ToUpperInvariant())
        {
            case "" or "ASCII" or "UNICODE UTF-8":
                return Encoding.UTF8;
            case "8859/1":
                return Encoding.Latin1;
            default:
                unsupported = value;
                return Encoding.UTF8;
        }
    }

    /// <param name="index">Position of the message in the input, counting those that cannot be read, so issues point at the right one.</param>
    private static void AddMessage(int index, List<string> lines, Encoding encoding, List<Hl7Message> messages, List<Hl7Issue> issues)
    {
        if (!Hl7Delimiters.TryParse(lines[0], out var delimiters))
        {
            issues.Add(new Hl7Issue(Hl7IssueCode.InvalidMessageHeader, Hl7IssueSeverity.Error,
                "MSH-1/MSH-2 do not define usable delimiters; message skipped", index, "MSH", 1, 2));
            return;
        }

        var context = new Hl7Context(delimiters, encoding);
        var segments = new List<Hl7Segment>(lines.Count);
        for (var i = 0; i < lines.Count; i++)
        {
            var line = lines[i];
            var parts = line.Split(delimiters.Field);
            if (!IsSegmentName(parts[0]))
            {
                if (!string.IsNullOrWhiteSpace(line))
                {
                    issues.Add(new Hl7Issue(Hl7IssueCode.InvalidSegmentName, Hl7IssueSeverity.Warning,
                        $"line {i + 1} does not start with a segment name; skipped", index, null, i + 1));
                }

                continue;
            }

            if (i == 0)
            {
                // HL7 v2.5.1 2.14.9, MSH-1 is the field separator, so fields shift by one.
                var fields = new string[parts.Length + 1];
                fields[0] = parts[0];
                fields[1] = delimiters.Field.ToString();
                Array.Copy(parts, 1, fields, 2, parts.Length - 1);
                parts = fields;
            }

            segments.Add(new Hl7Segment(line, parts, i + 1, context));
        }

        var message = new Hl7Message(index, segments, context);
        foreach (var (number, name, severity) in RequiredHeaderFields)
        {
            if (message.Header.Field(number).IsEmpty)
            {
                issues.Add(new Hl7Issue(Hl7IssueCode.MissingRequiredHeaderField, severity,
                    $"MSH-{number} {name} is empty; the message may be truncated", index, "MSH", 1, number));
            }
        }

        messages.Add(message);
    }

    private static readonly (int Number, string Name, Hl7IssueSeverity Severity)[] RequiredHeaderFields =
    [
        (9, "message type", Hl7IssueSeverity.Error),
        (10, "message control id", Hl7IssueSeverity.Warning),
        (12, "version id", Hl7IssueSeverity.Warning),
    ];

    /// <summary>HL7 v2.5.1 chapter 2: a segment ID is three characters, upper-case letters or digits, starting with a letter.</summary>
    private static bool IsSegmentName(string name) =>
        name.Length == 3 && char.IsAsciiLetterUpper(name[0]) && IsNameChar(name[1]) && IsNameChar(name[2]);

    private static bool IsNameChar(char c) => char.IsAsciiLetterUpper(c) || char.IsAsciiDigit(c);

    private static bool Finish(bool empty, List<Hl7Message> messages, List<Hl7Issue> issues)
    {
        if (empty)
        {
            issues.Add(new Hl7Issue(Hl7IssueCode.EmptyInput, Hl7IssueSeverity.Error, "the input is empty", 0));
        }
        else if (messages.Count == 0 && !issues.Exists(i => i.Code == Hl7IssueCode.InvalidMessageHeader))
        {
            issues.Add(new Hl7Issue(Hl7IssueCode.NoMessageHeader, Hl7IssueSeverity.Error, "no MSH segment found: not an HL7 v2 message", 0));
        }

        return messages.Count > 0 && !issues.Exists(i => i.Severity == Hl7IssueSeverity.Error);
    }
}
