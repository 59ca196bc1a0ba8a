using System.Globalization;
using System.Text;

namespace Fhir.Phr.Import.Documents;

/// <summary>The text of a scan's images read by OCR in page order, and how sure the engine is of it.</summary>
internal static class ScanText
{
    /// <summary>The text, the engine's mean word confidence weighted by each image's share of the characters (0..1), and the images read.</summary>
    public sealed record Result(string Text, decimal Confidence, int ImagesRead);

    /// <summary>
    /// Reads image after image. The first failure stops OCR, since a missing engine or an overloaded machine would fail every
    /// page alike; the text of the images read before it is kept, as the patient's details are usually on the first page.
    /// </summary>
    public static Result Read(ITextRecognizer recognizer, IEnumerable<PageImage> images, List<DocumentIssue> issues)
    {
        var text = new StringBuilder();
        var confidence = 0m;
        var characters = 0;
        var read = 0;
        foreach (var image in images)
        {
            if (Recognize(recognizer, image, out var failure) is not { } recognized)
            {
                issues.Add(new DocumentIssue(DocumentIssueCode.OcrFailed, DocumentIssueSeverity.Warning, read == 0
                    ? $"OCR failed on page {image.Page} ({failure}); the document is kept and classified from its name and metadata only"
                    : $"OCR failed on page {image.Page} ({failure}); the text of the {read} image(s) before it is used"));
                break;
            }

            read++;
            var count = recognized.Text.Count(c => !char.IsWhiteSpace(c));
            if (count > 0)
            {
                text.Append(text.Length == 0 ? string.Empty : "\n").Append(recognized.Text);
                confidence += recognized.Confidence * count;
                characters += count;
            }
        }

        return new Result(text.ToString(), characters == 0 ? 0m : Math.Round(confidence / characters, 2), read);
    }

    /// <summary>Recognizers must not throw, but one is code from outside the converter, which itself never throws.</summary>
    private static RecognizedText? Recognize(ITextRecognizer recognizer, PageImage image, out string? failure)
    {
        try
        {
            return recognizer.Recognize(image.Bytes, image.ContentType, out failure);
        }
#pragma warning disable CA1031 // Any exception of a recognizer is an OCR failure of this image.
        catch (Exception e)
#pragma warning restore CA1031
        {
            failure = string.Create(CultureInfo.InvariantCulture, $"{e.GetType().Name}: {e.Message}");
            return null;
        }
    }
}
