using Fhir.Phr.Import.Csv;

namespace Fhir.Phr.Import.Documents;

public sealed record DocumentImportOptions
{
    /// <summary>Names the sender; it goes into meta.source and the default system of identifiers read from the text.</summary>
    public required string Source { get; init; }

    /// <summary>The system of patient identifiers found in the text; defaults to <c>urn:fhir-phr:mrn:&lt;Source&gt;</c>, as for CSV.</summary>
    public string? IdentifierSystem { get; init; }

    /// <summary>The file name as uploaded; it becomes the attachment title and helps classify scans that have no text.</summary>
    public string? FileName { get; init; }

    /// <summary>The Content-Type the sender declared; the bytes' own signature wins when they disagree.</summary>
    public string? ContentType { get; init; }

    /// <summary>How to read dates such as 03/04/1980 (see <see cref="CsvDateOrder"/>).</summary>
    public CsvDateOrder DateOrder { get; init; } = CsvDateOrder.DayFirst;

    public int MaxBytes { get; init; } = 64 * 1024 * 1024;

    /// <summary>PDF pages read for text (or, for a scan, by OCR); the file is kept whole either way.</summary>
    public int MaxPages { get; init; } = 200;

    /// <summary>Reads the text of images and of PDFs without a text layer (OCR); null leaves them unread, classified from name and metadata.</summary>
    public ITextRecognizer? TextRecognizer { get; init; }

    internal string EffectiveIdentifierSystem =>
        string.IsNullOrWhiteSpace(IdentifierSystem) ? "urn:fhir-phr:mrn:" + CsvProvenance.Escape(Source) : IdentifierSystem;
}
