using System.Globalization;
using System.Text.RegularExpressions;
using Fhir.Phr.Import.Dicom;

namespace Fhir.Phr.Import.Tests.Dicom;

/// <summary>
/// One element line of `dcmdump -Un +L` output (stdout read as Latin-1, so string bytes survive),
/// with the items of a sequence or the fragment lengths of a pixel sequence beneath it.
/// </summary>
internal sealed record DcmdumpLine(DicomTag Tag, string VR, string? Text, bool IsString, string LengthField, int? ItemCount)
{
    internal List<List<DcmdumpLine>> Items { get; } = [];

    internal List<string> FragmentLengths { get; } = [];
}

internal static partial class DcmdumpOutput
{
    /// <summary>The top-level elements (meta information and data set), nested elements under their sequences.</summary>
    internal static List<DcmdumpLine> Parse(string stdout)
    {
        var top = new List<DcmdumpLine>();
        var listAtDepth = new Dictionary<int, List<DcmdumpLine>> { [0] = top };
        var lastAtDepth = new Dictionary<int, DcmdumpLine>();
        var rawLines = stdout.Split('\n');
        for (var index = 0; index < rawLines.Length; index++)
        {
            var raw = rawLines[index];
            if (LineRegex().IsMatch(raw.TrimEnd('\r')))
            {
                // A text value holding CR LF spans several output lines; the '#' comment ends the last one.
                while (!LengthCommentRegex().IsMatch(raw) && index + 1 < rawLines.Length)
                {
                    raw += "\n" + rawLines[++index];
                }
            }

            var match = LineRegex().Match(raw.TrimEnd('\r'));
            if (!match.Success)
            {
                continue;
            }

            var depth = match.Groups[1].Value.Length / 2;
            var tag = new DicomTag(
                ushort.Parse(match.Groups[2].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture),
                ushort.Parse(match.Groups[3].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture));
            var vr = match.Groups[4].Value;
            var rest = match.Groups[5].Value;
            var hash = rest.LastIndexOf('#');
            var value = rest[..hash].TrimEnd(' ');
            var lengthField = rest[(hash + 1)..].Trim().Split(',')[0].Trim();
            if (tag == DicomTag.Item)
            {
                if (depth > 0 && lastAtDepth.TryGetValue(depth - 1, out var parent))
                {
                    if (vr == "pi")
                    {
                        parent.FragmentLengths.Add(lengthField);
                    }
                    else
                    {
                        var item = new List<DcmdumpLine>();
                        parent.Items.Add(item);
                        listAtDepth[depth + 1] = item;
                    }
                }

                continue;
            }

            if (tag.Group == 0xFFFE || !listAtDepth.TryGetValue(depth, out var list))
            {
                continue;
            }

            int? itemCount = null;
            var count = CountRegex().Match(value);
            if (value.StartsWith('(') && count.Success)
            {
                itemCount = int.Parse(count.Groups[1].Value, CultureInfo.InvariantCulture);
            }

            string? text;
            var isString = false;
            if (value == "(no value available)")
            {
                text = string.Empty;
            }
            else if (value.StartsWith('[') && value.EndsWith(']'))
            {
                text = value[1..^1];
                isString = true;
            }
            else if (value.StartsWith('(') && !AttributeTagRegex().IsMatch(value))
            {
                text = null;
            }
            else
            {
                text = value;
            }

            var line = new DcmdumpLine(tag, vr, text, isString, lengthField, itemCount);
            list.Add(line);
            lastAtDepth[depth] = line;
        }

        return top;
    }

    [GeneratedRegex(@"^( *)\(([0-9a-f]{4}),([0-9a-f]{4})\) (\S\S) (.*)$", RegexOptions.Singleline)]
    private static partial Regex LineRegex();

    [GeneratedRegex(@"#\s*(\d+|u/l),\s*\d+ [^#]*\r?$")]
    private static partial Regex LengthCommentRegex();

    [GeneratedRegex(@"^\([0-9a-f]{4},[0-9a-f]{4}\)")]
    private static partial Regex AttributeTagRegex();

    [GeneratedRegex(@"#=(\d+)\)")]
    private static partial Regex CountRegex();
}
