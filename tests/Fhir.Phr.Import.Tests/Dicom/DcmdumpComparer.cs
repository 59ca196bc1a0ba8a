using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using Fhir.Phr.Import.Dicom;

namespace Fhir.Phr.Import.Tests.Dicom;

/// <summary>Compares every top-level element our reader returns with what dcmdump printed for the same file.</summary>
internal static class DcmdumpComparer
{
    /// <summary>Compares every element, nested ones included, with what dcmdump printed for the same file.</summary>
    internal static List<string> Compare(DicomFile file, IReadOnlyList<DcmdumpLine> expected)
    {
        var problems = new List<string>();
        var meta = expected.Where(l => l.Tag.Group == 0x0002).ToList();
        var rest = expected.Where(l => l.Tag.Group != 0x0002).ToList();
        CompareDataset(file.FileMetaInfo, meta, string.Empty, problems);
        CompareDataset(file.Dataset, rest, string.Empty, problems);
        return problems;
    }

    private static void CompareDataset(DicomDataset dataset, IReadOnlyList<DcmdumpLine> expected, string path, List<string> problems)
    {
        var ourTags = dataset.Select(i => i.Tag).ToHashSet();
        var theirTags = expected.Select(l => l.Tag).ToHashSet();
        foreach (var missing in theirTags.Except(ourTags))
        {
            problems.Add($"{path}{missing}: dcmdump has it, we do not");
        }

        foreach (var extra in ourTags.Except(theirTags))
        {
            problems.Add($"{path}{extra}: we have it, dcmdump does not");
        }

        foreach (var line in expected)
        {
            var item = dataset[line.Tag];
            var where = $"{path}{line.Tag} {line.VR}";
            switch (item)
            {
                case null:
                    continue;
                case DicomElement element when CompareElement(element, line) is { } problem:
                    problems.Add($"{where}: {problem}");
                    break;
                case DicomSequence sequence when line.VR != "SQ" || line.Items.Count != sequence.Items.Count:
                    problems.Add($"{where}: dcmdump {line.VR} with {line.Items.Count} items, ours a sequence of {sequence.Items.Count}");
                    break;
                case DicomSequence sequence:
                    for (var i = 0; i < sequence.Items.Count; i++)
                    {
                        CompareDataset(sequence.Items[i], line.Items[i], $"{where}[{i}].", problems);
                    }

                    break;
                case DicomFragmentSequence fragments:
                    var ours = fragments.Fragments.Select(f => f.Length.ToString(CultureInfo.InvariantCulture)).Prepend(fragments.OffsetTableBytes.Length.ToString(CultureInfo.InvariantCulture));
                    if (!ours.SequenceEqual(line.FragmentLengths))
                    {
                        problems.Add($"{where}: fragment lengths dcmdump [{string.Join(',', line.FragmentLengths)}], ours [{string.Join(',', ours)}]");
                    }

                    break;
            }
        }
    }

    private static string? CompareElement(DicomElement element, DcmdumpLine line)
    {
        // dcmtk pads an odd-length value with one byte when it loads it (+ao); the file holds the odd length we report.
        var oddPadded = element.Length % 2 == 1 && line.LengthField == (element.Length + 1).ToString(CultureInfo.InvariantCulture);
        if (line.LengthField != element.Length.ToString(CultureInfo.InvariantCulture) && !oddPadded)
        {
            return $"length: dcmdump {line.LengthField}, ours {element.Length}";
        }

        if (line.Text is null)
        {
            return $"dcmdump printed no value for our {element.VR} element";
        }

        var raw = oddPadded ? [.. element.Buffer.Span, (byte)0] : element.Buffer.ToArray();
        if (line.IsString || line.Text.Length == 0)
        {
            var ourText = Encoding.Latin1.GetString(raw).TrimEnd(' ', '\0');
            var theirText = line.Text.TrimEnd(' ', '\0');
            return ourText == theirText ? null : $"value: dcmdump [{Shorten(theirText)}], ours [{Shorten(ourText)}]";
        }

        if (!Enum.TryParse<DicomVR>(line.VR, out var vr))
        {
            return null;
        }

        var ourTokens = Format(raw, vr, element.IsBigEndian);
        var theirTokens = line.Text.Split('\\');
        if (ourTokens.Length != theirTokens.Length)
        {
            return $"value count: dcmdump {theirTokens.Length}, ours {ourTokens.Length}";
        }

        for (var i = 0; i < ourTokens.Length; i++)
        {
            if (!SameToken(ourTokens[i], theirTokens[i], vr))
            {
                return $"value {i}: dcmdump {theirTokens[i]}, ours {ourTokens[i]}";
            }
        }

        return null;
    }

    internal static string[] Format(byte[] raw, DicomVR vr, bool bigEndian)
    {
        ushort U16(int at) => bigEndian ? BinaryPrimitives.ReadUInt16BigEndian(raw.AsSpan(at)) : BinaryPrimitives.ReadUInt16LittleEndian(raw.AsSpan(at));
        uint U32(int at) => bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(raw.AsSpan(at)) : BinaryPrimitives.ReadUInt32LittleEndian(raw.AsSpan(at));
        ulong U64(int at) => bigEndian ? BinaryPrimitives.ReadUInt64BigEndian(raw.AsSpan(at)) : BinaryPrimitives.ReadUInt64LittleEndian(raw.AsSpan(at));
        string[] Each(int size, Func<int, string> format) => Enumerable.Range(0, raw.Length / size).Select(i => format(i * size)).ToArray();
        var c = CultureInfo.InvariantCulture;
        return vr switch
        {
            DicomVR.US => Each(2, at => U16(at).ToString(c)),
            DicomVR.SS => Each(2, at => ((short)U16(at)).ToString(c)),
            DicomVR.OW => Each(2, at => U16(at).ToString("x4", c)),
            DicomVR.UL or DicomVR.OL => Each(4, at => U32(at).ToString(c)),
            DicomVR.SL => Each(4, at => ((int)U32(at)).ToString(c)),
            DicomVR.FL or DicomVR.OF => Each(4, at => BitConverter.UInt32BitsToSingle(U32(at)).ToString("R", c)),
            DicomVR.FD or DicomVR.OD => Each(8, at => BitConverter.UInt64BitsToDouble(U64(at)).ToString("R", c)),
            DicomVR.SV => Each(8, at => ((long)U64(at)).ToString(c)),
            DicomVR.UV or DicomVR.OV => Each(8, at => U64(at).ToString(c)),
            DicomVR.AT => Each(4, at => string.Create(c, $"({U16(at):x4},{U16(at + 2):x4})")),
            _ => raw.Select(b => b.ToString("x2", c)).ToArray(),
        };
    }

    private static bool SameToken(string ours, string theirs, DicomVR vr)
    {
        if (string.Equals(ours, theirs, StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (vr is DicomVR.FL or DicomVR.FD or DicomVR.OF or DicomVR.OD
            && double.TryParse(ours, NumberStyles.Float, CultureInfo.InvariantCulture, out var a)
            && double.TryParse(theirs, NumberStyles.Float, CultureInfo.InvariantCulture, out var b))
        {
            // dcmdump prints FL with 8 and FD with 17 significant digits.
            return a == b || Math.Abs(a - b) <= 1e-6 * Math.Max(1, Math.Abs(a)) || (double.IsNaN(a) && double.IsNaN(b));
        }

        return false;
    }

    private static string Shorten(string s) => s.Length > 80 ? s[..80] + "..." : s;
}
