using Hl7.Fhir.Model;

namespace Fhir.Phr.Import.Documents;

public enum DocumentIssueSeverity
{
    Information = 1,
    Warning,
    Error,
}

public enum DocumentIssueCode
{
    // The file.
    EmptyInput = 1,
    InputTooLarge,
    UnsupportedFormat,
    ContentTypeMismatch,
    EncodingAssumed,
    UnreadablePdf,
    PageLimitReached,
    InvalidImageMetadata,
    NoText,
    TextFromOcr,
    OcrFailed,

    // What was read from it.
    PatientFound = 100,
    NoPatientFound,
    AmbiguousPatientIdentifier,
    DocumentDateFound,
    NoDocumentDate,
    KindClassified,
    UnclassifiedDocument,
}

/// <summary>Something the document converter found or could not take as given; findings carry their confidence in the message.</summary>
public sealed record DocumentIssue(DocumentIssueCode Code, DocumentIssueSeverity Severity, string Message)
{
    public override string ToString() => $"{Severity} {Code}: {Message}";
}

/// <summary>What one document produced: the DocumentReference (the file as its first attachment), what was read from it, and the issues.</summary>
public sealed record DocumentConversionResult(IReadOnlyList<Resource> Resources, DocumentFindings? Findings, IReadOnlyList<DocumentIssue> Issues)
{
    /// <summary>True when a DocumentReference was produced and no issue is an error.</summary>
    public bool Succeeded => Resources.Count > 0 && !Issues.Any(i => i.Severity == DocumentIssueSeverity.Error);
}
