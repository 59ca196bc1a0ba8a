using Fhir.Phr.Import.Documents;

namespace Fhir.Phr.Core.Ingest;

/// <summary>How uploaded files are read (<c>Phr:Import</c>).</summary>
public sealed class ImportOptions
{
    /// <summary>OCR of scans: <c>auto</c> (tesseract when it is on PATH), <c>off</c>, or the path of a tesseract executable.</summary>
    public string Ocr { get; set; } = DocumentOcr.Auto;
}

/// <summary>
/// The OCR `$ingest` reads scanned documents with, chosen once at start-up by <c>Phr:Import:Ocr</c>. Without it a scan is
/// still kept, classified from its name and metadata, and waits in the review queue for a person to say whose it is.
/// </summary>
public sealed class DocumentOcr
{
    public const string Auto = "auto";
    public const string Off = "off";

    private DocumentOcr(ITextRecognizer? recognizer, string state)
    {
        Recognizer = recognizer;
        State = state;
    }

    /// <summary>What documents are read with; null when OCR is off.</summary>
    public ITextRecognizer? Recognizer { get; }

    /// <summary>Whether OCR is on, with what and why, for the start-up log.</summary>
    public string State { get; }

    /// <summary>A path that is no file is a configuration error, refused at start-up rather than met on every scan.</summary>
    public static DocumentOcr FromSetting(string? setting)
    {
        var value = setting?.Trim();
        if (string.IsNullOrEmpty(value) || value.Equals(Auto, StringComparison.OrdinalIgnoreCase))
        {
            return TesseractTextRecognizer.TryFind() is { } found
                ? new DocumentOcr(found, $"on, with {found.Executable} found on PATH")
                : new DocumentOcr(null, "off: no tesseract on PATH (install tesseract-ocr and tesseract-ocr-eng, or set Phr:Import:Ocr to its path)");
        }

        if (value.Equals(Off, StringComparison.OrdinalIgnoreCase))
        {
            return new DocumentOcr(null, "off, as Phr:Import:Ocr says");
        }

        if (!File.Exists(value))
        {
            throw new InvalidOperationException($"Phr:Import:Ocr is '{value}': neither auto, off, nor the path of an existing tesseract executable.");
        }

        var path = Path.GetFullPath(value);
        return new DocumentOcr(new TesseractTextRecognizer(path), $"on, with {path} from Phr:Import:Ocr");
    }
}
