using System.Text;

namespace Fhir.Phr.Import.Dicom;

/// <summary>
/// Decodes text values according to Specific Character Set (0008,0005), PS3.3 §C.12.1.1.2 and
/// PS3.5 §6.1: single-byte ISO_IR sets, the multi-byte sets without code extensions (ISO_IR 192,
/// GB18030, GBK) and ISO 2022 code extensions switched by escape sequences (Japanese, Korean,
/// simplified Chinese and the single-byte sets as G1).
/// </summary>
internal sealed class DicomCharacterSet
{
    private static readonly Encoding Ascii;
    private static readonly Encoding ShiftJis;

    private readonly Encoding? _whole;
    private readonly Charset _initialG0;
    private readonly Charset _initialG1;

    static DicomCharacterSet()
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

        // The default repertoire is ASCII; Latin-1 keeps undeclared high bytes readable instead of '?'.
        Ascii = Encoding.Latin1;
        ShiftJis = Encoding.GetEncoding(932);
    }

    private DicomCharacterSet(Encoding? whole, Charset g0, Charset g1, IReadOnlyList<string> terms)
    {
        _whole = whole;
        _initialG0 = g0;
        _initialG1 = g1;
        Terms = terms;
    }

    internal static DicomCharacterSet Default { get; } = new(Ascii, Charset.Ascii, Charset.None, []);

    internal IReadOnlyList<string> Terms { get; }

    /// <summary>True when every term was understood; unknown terms fall back to the default repertoire.</summary>
    internal bool IsFullySupported { get; private init; } = true;

    private enum Charset
    {
        None,
        Ascii,
        JisRoman,
        JisKatakana,
        Jis0208,
        Jis0212,
        Ksx1001,
        Gb2312,
        Latin1,
        Latin2,
        Latin3,
        Latin4,
        Cyrillic,
        Arabic,
        Greek,
        Hebrew,
        Latin5,
        Thai,
    }

    internal static DicomCharacterSet FromTerms(IReadOnlyList<string> rawTerms)
    {
        var terms = rawTerms.Select(t => t.Trim()).ToArray();
        if (terms.Length == 0 || terms.All(t => t.Length == 0))
        {
            return Default;
        }

        var first = terms[0];
        var usesExtensions = terms.Any(t => t.StartsWith("ISO 2022", StringComparison.Ordinal));
        if (!usesExtensions)
        {
            // Several values without ISO 2022 are not allowed (PS3.3 §C.12.1.1.2); the first one wins.
            var encoding = WholeValueEncoding(first);
            return new DicomCharacterSet(encoding ?? Ascii, Charset.Ascii, Charset.None, terms) { IsFullySupported = encoding is not null };
        }

        // JIS X 0212 is recognised but .NET cannot decode it (see DecodeJis).
        var supported = !terms.Contains("ISO 2022 IR 159");
        foreach (var term in terms.Skip(1))
        {
            supported &= term.Length == 0 || FromDefinedTerm(term) is not null;
        }

        var initial = first.Length == 0 ? Charset.Ascii : FromDefinedTerm(first);
        supported &= initial is not null;
        var (g0, g1) = initial switch
        {
            Charset.JisKatakana => (Charset.JisRoman, Charset.JisKatakana),
            null or Charset.Ascii => (Charset.Ascii, Charset.None),
            Charset.Jis0208 or Charset.Jis0212 => (Charset.Ascii, Charset.None),
            { } other => (Charset.Ascii, other),
        };
        return new DicomCharacterSet(null, g0, g1, terms) { IsFullySupported = supported };
    }

    internal string Decode(ReadOnlySpan<byte> bytes)
    {
        if (_whole is not null)
        {
            return _whole.GetString(bytes);
        }

        var text = new StringBuilder(bytes.Length);
        var g0 = _initialG0;
        var g1 = _initialG1;
        var i = 0;
        while (i < bytes.Length)
        {
            var b = bytes[i];
            if (b == 0x1B && TryEscape(bytes[i..], out var length, out var designated, out var isG1))
            {
                if (isG1)
                {
                    g1 = designated;
                }
                else
                {
                    g0 = designated;
                }

                i += length;
                continue;
            }

            // PS3.5 §6.1.2.5.3: the two-byte G0 sets code pairs of 0x21-0x7E; control characters stay single.
            if (b < 0x80 && g0 is Charset.Jis0208 or Charset.Jis0212 && b >= 0x21 && b < 0x7F && i + 1 < bytes.Length)
            {
                text.Append(DecodeJis(g0, b, bytes[i + 1]));
                i += 2;
                continue;
            }

            if (b < 0x80)
            {
                text.Append((char)b);
                i++;
                continue;
            }

            switch (g1)
            {
                case Charset.Ksx1001 or Charset.Gb2312 when i + 1 < bytes.Length:
                    text.Append(Encoding.GetEncoding(g1 == Charset.Ksx1001 ? 949 : 936).GetString(bytes.Slice(i, 2)));
                    i += 2;
                    break;
                case Charset.JisKatakana:
                    text.Append(ShiftJis.GetString(bytes.Slice(i, 1)));
                    i++;
                    break;
                case Charset.None or Charset.Ksx1001 or Charset.Gb2312:
                    text.Append('\uFFFD');
                    i++;
                    break;
                default:
                    text.Append(Encoding.GetEncoding(CodePage(g1)).GetString(bytes.Slice(i, 1)));
                    i++;
                    break;
            }
        }

        return text.ToString();
    }

    private static string DecodeJis(Charset set, byte first, byte second)
    {
        if (set == Charset.Jis0212)
        {
            // JIS X 0212 (ISO 2022 IR 159): .NET's EUC-JP (51932) lacks it, so the character is unknown.
            return "\uFFFD";
        }

        // JIS X 0208 row/cell to Shift_JIS (JIS X 0208:1997 Annex 1), decodable with code page 932.
        var row = first;
        var cell = second;
        var lead = (byte)(((row - 0x21) >> 1) + (row <= 0x5E ? 0x81 : 0xC1));
        byte trail;
        if ((row & 1) == 1)
        {
            trail = (byte)(cell + (cell <= 0x5F ? 0x1F : 0x20));
        }
        else
        {
            trail = (byte)(cell + 0x7E);
        }

        ReadOnlySpan<byte> sjis = [lead, trail];
        return ShiftJis.GetString(sjis);
    }

    private static bool TryEscape(ReadOnlySpan<byte> s, out int length, out Charset set, out bool isG1)
    {
        length = 0;
        set = Charset.None;
        isG1 = false;
        if (s.Length >= 3)
        {
            (length, set, isG1) = (s[1], s[2]) switch
            {
                ((byte)'(', (byte)'B') => (3, Charset.Ascii, false),
                ((byte)'(', (byte)'J') => (3, Charset.JisRoman, false),
                ((byte)')', (byte)'I') => (3, Charset.JisKatakana, true),
                ((byte)'$', (byte)'B') => (3, Charset.Jis0208, false),
                ((byte)'$', (byte)'@') => (3, Charset.Jis0208, false),
                ((byte)'-', (byte)'A') => (3, Charset.Latin1, true),
                ((byte)'-', (byte)'B') => (3, Charset.Latin2, true),
                ((byte)'-', (byte)'C') => (3, Charset.Latin3, true),
                ((byte)'-', (byte)'D') => (3, Charset.Latin4, true),
                ((byte)'-', (byte)'L') => (3, Charset.Cyrillic, true),
                ((byte)'-', (byte)'G') => (3, Charset.Arabic, true),
                ((byte)'-', (byte)'F') => (3, Charset.Greek, true),
                ((byte)'-', (byte)'H') => (3, Charset.Hebrew, true),
                ((byte)'-', (byte)'M') => (3, Charset.Latin5, true),
                ((byte)'-', (byte)'T') => (3, Charset.Thai, true),
                _ => (0, Charset.None, false),
            };
        }

        if (length == 0 && s.Length >= 4 && s[1] == (byte)'$')
        {
            (length, set, isG1) = (s[2], s[3]) switch
            {
                ((byte)'(', (byte)'D') => (4, Charset.Jis0212, false),
                ((byte)')', (byte)'C') => (4, Charset.Ksx1001, true),
                ((byte)')', (byte)'A') => (4, Charset.Gb2312, true),
                _ => (0, Charset.None, false),
            };
        }

        return length > 0;
    }

    private static Charset? FromDefinedTerm(string term) => term switch
    {
        "ISO 2022 IR 6" => Charset.Ascii,
        "ISO 2022 IR 13" => Charset.JisKatakana,
        "ISO 2022 IR 87" => Charset.Jis0208,
        "ISO 2022 IR 159" => Charset.Jis0212,
        "ISO 2022 IR 149" => Charset.Ksx1001,
        "ISO 2022 IR 58" => Charset.Gb2312,
        "ISO 2022 IR 100" => Charset.Latin1,
        "ISO 2022 IR 101" => Charset.Latin2,
        "ISO 2022 IR 109" => Charset.Latin3,
        "ISO 2022 IR 110" => Charset.Latin4,
        "ISO 2022 IR 144" => Charset.Cyrillic,
        "ISO 2022 IR 127" => Charset.Arabic,
        "ISO 2022 IR 126" => Charset.Greek,
        "ISO 2022 IR 138" => Charset.Hebrew,
        "ISO 2022 IR 148" => Charset.Latin5,
        "ISO 2022 IR 166" => Charset.Thai,
        _ => null,
    };

    private static int CodePage(Charset set) => set switch
    {
        Charset.Latin1 => 28591,
        Charset.Latin2 => 28592,
        Charset.Latin3 => 28593,
        Charset.Latin4 => 28594,
        Charset.Cyrillic => 28595,
        Charset.Arabic => 28596,
        Charset.Greek => 28597,
        Charset.Hebrew => 28598,
        Charset.Latin5 => 28599,
        Charset.Thai => 874,
        _ => 28591,
    };

    private static Encoding? WholeValueEncoding(string term) => term switch
    {
        "ISO_IR 6" => Ascii,
        "ISO_IR 100" => Encoding.Latin1,
        "ISO_IR 101" => Encoding.GetEncoding(28592),
        "ISO_IR 109" => Encoding.GetEncoding(28593),
        "ISO_IR 110" => Encoding.GetEncoding(28594),
        "ISO_IR 144" => Encoding.GetEncoding(28595),
        "ISO_IR 127" => Encoding.GetEncoding(28596),
        "ISO_IR 126" => Encoding.GetEncoding(28597),
        "ISO_IR 138" => Encoding.GetEncoding(28598),
        "ISO_IR 148" => Encoding.GetEncoding(28599),
        "ISO_IR 166" => Encoding.GetEncoding(874),

        // JIS X 0201: katakana in 0xA1-0xDF exactly as single-byte Shift_JIS.
        "ISO_IR 13" => ShiftJis,
        "ISO_IR 192" => Encoding.UTF8,
        "GB18030" => Encoding.GetEncoding(54936),
        "GBK" => Encoding.GetEncoding(936),
        _ => null,
    };
}
