using UglyToad.PdfPig;
using UglyToad.PdfPig.Content;
using UglyToad.PdfPig.Tokens;

namespace Fhir.Phr.Import.Documents;

/// <summary>One image on a page of a document, as bytes an OCR engine reads.</summary>
internal sealed record PageImage(int Page, ReadOnlyMemory<byte> Bytes, string ContentType);

/// <summary>
/// The images a scanned PDF's pages are made of, in page order and, on a page, in the order they are drawn. A JPEG (DCTDecode)
/// or JPEG 2000 (JPXDecode) stream is passed on as stored, since PdfPig does not decode those; anything else PdfPig can decode
/// (Flate, CCITT fax, ...) is passed on as PNG. Pages are read one at a time, so a long scan is never held in memory whole.
/// </summary>
internal static class PdfPageImages
{
    /// <summary>Images smaller than this either way are rules, logos or specks, not text worth a tesseract run.</summary>
    public const int MinSide = 16;

    /// <summary>A scanner writes a page as one image, or a few strips; more than this on one page are not read.</summary>
    public const int MaxImagesPerPage = 8;

    /// <summary>Decoding holds the raw samples in memory: 50 million is more than an A4 page at 600 dpi.</summary>
    public const long MaxSamples = 50_000_000;

    /// <summary>The images of the first <paramref name="maxPages"/> pages; what could not be read is said in <paramref name="skipped"/>.</summary>
    public static IEnumerable<PageImage> Read(byte[] pdf, int maxPages, List<string> skipped)
    {
        using var document = Open(pdf, skipped);
        if (document is null)
        {
            yield break;
        }

        for (var number = 1; number <= Math.Min(maxPages, document.NumberOfPages); number++)
        {
            foreach (var image in Page(document, number, skipped))
            {
                yield return image;
            }
        }
    }

    private static PdfDocument? Open(byte[] pdf, List<string> skipped)
    {
        try
        {
            return PdfDocument.Open(pdf, new ParsingOptions { UseLenientParsing = true, SkipMissingFonts = true });
        }
#pragma warning disable CA1031 // PdfPig throws many exception types on damaged input; each means "unreadable".
        catch (Exception e)
#pragma warning restore CA1031
        {
            skipped.Add($"the PDF could not be opened for its images ({e.GetType().Name})");
            return null;
        }
    }

    private static List<PageImage> Page(PdfDocument document, int number, List<string> skipped)
    {
        var found = new List<PageImage>();
        try
        {
            foreach (var image in document.GetPage(number).GetImages())
            {
                if (Math.Min(image.WidthInSamples, image.HeightInSamples) < MinSide)
                {
                    continue;
                }

                if (found.Count == MaxImagesPerPage)
                {
                    skipped.Add($"page {number}: images after the first {MaxImagesPerPage}");
                    break;
                }

                if (Readable(image, number, skipped) is { } readable)
                {
                    found.Add(readable);
                }
            }
        }
#pragma warning disable CA1031 // As above: a damaged page's images are unreadable, whatever PdfPig throws.
        catch (Exception e)
#pragma warning restore CA1031
        {
            skipped.Add($"page {number}: images unreadable ({e.GetType().Name})");
        }

        return found;
    }

    private static PageImage? Readable(IPdfImage image, int page, List<string> skipped)
    {
        if ((long)image.WidthInSamples * image.HeightInSamples > MaxSamples)
        {
            skipped.Add($"page {page}: an image of {image.WidthInSamples}x{image.HeightInSamples} samples, too large to read");
            return null;
        }

        var filters = Filters(image.ImageDictionary);
        if (filters is ["DCTDecode"])
        {
            return new PageImage(page, image.RawMemory, "image/jpeg");
        }

        if (filters is ["JPXDecode"])
        {
            return new PageImage(page, image.RawMemory, "image/jp2");
        }

        if (image.TryGetPng(out var png))
        {
            return new PageImage(page, png, "image/png");
        }

        skipped.Add($"page {page}: an image PdfPig cannot decode ({(filters.Count == 0 ? "no filter" : string.Join(", ", filters))})");
        return null;
    }

    private static List<string> Filters(DictionaryToken dictionary) =>
        !dictionary.TryGet(NameToken.Filter, out var token) ? []
        : token is NameToken name ? [name.Data]
        : token is ArrayToken array ? [.. array.Data.OfType<NameToken>().Select(n => n.Data)]
        : [];
}
