namespace Fhir.Phr.Import.Documents;

/// <summary>A value read from a document with how sure the reader is of it (0..1) and the words that gave it away.</summary>
public sealed record Finding<T>(T Value, decimal Confidence, string Evidence);

/// <summary>What the text (or, for scans, the file name and metadata) of one document says about it.</summary>
public sealed record DocumentFindings
{
    public IReadOnlyList<Finding<string>> Identifiers { get; init; } = [];

    /// <summary>The patient's name as written (e.g. "Okafor, Adaeze"), split into family and given when the form allows.</summary>
    public Finding<(string? Family, IReadOnlyList<string> Given)>? Name { get; init; }

    public Finding<DateOnly>? BirthDate { get; init; }

    public Finding<DateOnly>? DocumentDate { get; init; }

    public Finding<DocumentKind>? Kind { get; init; }

    /// <summary>The title the file carries in its metadata (PDF Title, PNG Title, EXIF ImageDescription), if any.</summary>
    public string? Title { get; init; }

    /// <summary>How sure the text is itself: 1 for a text layer or a text file, the OCR engine's mean word confidence for a scan
    /// it read. The confidences of values read from the text are scaled by it.</summary>
    public decimal TextConfidence { get; init; } = 1m;
}
