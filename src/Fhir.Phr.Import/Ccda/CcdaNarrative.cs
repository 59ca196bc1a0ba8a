using System.Text;
using System.Xml;
using System.Xml.Linq;

namespace Fhir.Phr.Import.Ccda;

/// <summary>
/// The human-readable narrative of a structuredBody (CDA R2 section.text, the StrucDoc schema) as plain text: each section's
/// title, then its text with paragraphs, list items, table rows and line breaks on their own lines and table cells separated
/// by tabs. Read with a flat XmlReader loop rather than recursion, so deep nesting cannot exhaust the stack.
/// </summary>
internal static class CcdaNarrative
{
    private static readonly HashSet<string> Blocks = ["paragraph", "list", "item", "table", "caption", "thead", "tbody", "tfoot", "tr"];

    public static string Extract(XElement structuredBody)
    {
        var text = new PlainText();
        foreach (var section in structuredBody.Descendants(CcdaDataTypes.V3 + "section"))
        {
            if (section.Child("title").Text() is { } title)
            {
                text.Append(title);
                text.EndLine();
            }

            if (section.Child("text") is { } narrative)
            {
                AppendNarrative(narrative, text);
            }

            text.EndParagraph();
        }

        return text.ToString();
    }

    private static void AppendNarrative(XElement narrative, PlainText text)
    {
        using var reader = narrative.CreateReader();
        var cellsInRow = 0;
        while (reader.Read())
        {
            switch (reader.NodeType)
            {
                case XmlNodeType.Text or XmlNodeType.CDATA or XmlNodeType.Whitespace or XmlNodeType.SignificantWhitespace:
                    text.Append(reader.Value);
                    break;
                case XmlNodeType.Element when reader.LocalName is "br":
                    text.EndLine();
                    break;
                case XmlNodeType.Element when reader.LocalName is "td" or "th":
                    if (cellsInRow++ > 0)
                    {
                        text.Tab();
                    }

                    break;
                case XmlNodeType.Element when Blocks.Contains(reader.LocalName):
                    cellsInRow = 0;
                    text.EndLine();
                    break;
                case XmlNodeType.EndElement when Blocks.Contains(reader.LocalName):
                    text.EndLine();
                    break;
            }
        }

        text.EndLine();
    }

    /// <summary>Text built from XML runs: white space folded to one space, no blanks at line ends, at most one empty line in a row.</summary>
    private sealed class PlainText
    {
        private readonly StringBuilder builder = new();
        private bool pendingSpace;

        private bool AtLineStart => builder.Length == 0 || builder[^1] is '\n' or '\t';

        public void Append(string value)
        {
            foreach (var c in value)
            {
                if (char.IsWhiteSpace(c))
                {
                    pendingSpace = !AtLineStart;
                    continue;
                }

                if (pendingSpace)
                {
                    builder.Append(' ');
                    pendingSpace = false;
                }

                builder.Append(c);
            }
        }

        public void Tab()
        {
            pendingSpace = false;
            builder.Append('\t');
        }

        public void EndLine()
        {
            pendingSpace = false;
            if (builder.Length > 0 && builder[^1] != '\n')
            {
                builder.Append('\n');
            }
        }

        public void EndParagraph()
        {
            EndLine();
            if (builder.Length > 1 && builder[^2] != '\n')
            {
                builder.Append('\n');
            }
        }

        public override string ToString() => builder.ToString().TrimEnd('\n');
    }
}
