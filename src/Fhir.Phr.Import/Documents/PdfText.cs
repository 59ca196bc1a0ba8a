using System.Text;
using UglyToad.PdfPig;
using UglyToad.PdfPig.DocumentLayoutAnalysis.TextExtractor;

namespace Fhir.Phr.Import.Documents;

/// <summary>The text of a PDF's pages (PdfPig, in content order, so lines stay lines) and its document information dictionary.</summary>
internal static class PdfText
{
    /// <summary>Text beyond this is not read: the fields a clerk looks for are on the first pages, and classification needs no more.</summary>
    public const int MaxCharacters = 1024 * 1024;

    public sealed record Content(string Text, string? Title, string? Subject, DateOnly? Created, int PagesRead, int Pages);

    /// <summary>Null with a reason when PdfPig cannot open the file (damaged, encrypted); the caller keeps the file regardless.</summary>
    public static Content? TryRead(byte[] pdf, int maxPages, out string? failure)
    {
        failure = null;
        try
        {
            using var document = PdfDocument.Open(pdf, new ParsingOptions { UseLenientParsing = true, SkipMissingFonts = true });
            var text = new StringBuilder();
            var read = 0;
            foreach (var page in document.GetPages())
            {
                if (read == maxPages || text.Length >= MaxCharacters)
                {
                    break;
                }

                text.Append(ContentOrderTextExtractor.GetText(page)).Append('\n');
                read++;
            }

            var information = document.Information;
            DateOnly? created = information.GetCreatedDateTimeOffset() is { } time ? DateOnly.FromDateTime(time.DateTime) : null;
            var all = text.Length > MaxCharacters ? text.ToString(0, MaxCharacters) : text.ToString();
            return new Content(all.Replace("\r\n", "\n", StringComparison.Ordinal), Blank(information.Title), Blank(information.Subject), created, read, document.NumberOfPages);
        }
#pragma warning disable CA1031 // PdfPig throws many exception types on damaged input (its own, and .NET's from its decoders); each means "unreadable".
        catch (Exception e)
#pragma warning restore CA1031
        {
            failure = $"{e.GetType().Name}: {e.Message}";
            return null;
        }
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
