using Fhir.Phr.Import.Documents;

namespace Fhir.Phr.Import.Tests.Documents;

/// <summary>The real tesseract, which the OCR tests need: a machine without it fails them, saying what to install, rather than skipping.</summary>
internal static class Tesseract
{
    internal static TesseractTextRecognizer Required() =>
        TesseractTextRecognizer.TryFind()
        ?? throw new InvalidOperationException("tesseract is not on PATH: install Debian's tesseract-ocr and tesseract-ocr-eng (apt-get install tesseract-ocr tesseract-ocr-eng; .ci/run does).");
}
