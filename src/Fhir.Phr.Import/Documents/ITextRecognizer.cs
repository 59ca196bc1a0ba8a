namespace Fhir.Phr.Import.Documents;

/// <summary>
/// Reads the text of a page image (OCR). The one place where document conversion may do I/O: the caller passes a recognizer
/// in <see cref="DocumentImportOptions.TextRecognizer"/>, so the converter stays a function of its input and options.
/// Implementations must be safe to share between threads and must not throw for bad images: a failure is a value.
/// </summary>
public interface ITextRecognizer
{
    /// <summary>The image's text, or null with the reason in <paramref name="failure"/> (unreadable image, engine missing, timeout).</summary>
    /// <param name="image">A PNG, JPEG or JPEG 2000 image of one page or part of one.</param>
    /// <param name="contentType">What the bytes are (image/png, image/jpeg, image/jp2).</param>
    RecognizedText? Recognize(ReadOnlyMemory<byte> image, string contentType, out string? failure);
}

/// <summary>Text read from an image, lines in reading order, and the engine's mean confidence in its words (0..1; 0 when it read none).</summary>
public sealed record RecognizedText(string Text, decimal Confidence);
