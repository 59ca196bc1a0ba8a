namespace Fhir.Phr.Import.Ccda;

public enum CcdaIssueSeverity
{
    Information = 1,
    Warning,
    Error,
}

public enum CcdaIssueCode
{
    // Reading the XML.
    EmptyInput = 1,
    InputTooLarge,
    NotWellFormedXml,
    DtdNotAllowed,
    NotClinicalDocument,

    // The header.
    UnknownTemplate = 100,
    MissingDocumentId,
    MissingDocumentCode,
    MissingEffectiveTime,
    InvalidDateTime,
    TimeZoneAssumed,
    UnknownConfidentiality,
    MissingCustodian,
    UnknownRelationType,
    InvalidIdentifier,

    // recordTarget.
    MissingRecordTarget = 200,
    MultipleRecordTargets,
    MissingPatientIdentifier,
    MissingPatientName,
    UnknownGender,

    // The body.
    MissingBody = 300,
    InvalidNonXmlBody,
    UnsupportedCompression,
}

/// <summary>
/// Something the C-CDA converter could not take as given. <paramref name="Line"/> is the 1-based line of the element in the
/// input (0 when not known) and <paramref name="Path"/> its element path, such as ClinicalDocument/recordTarget/patientRole/id.
/// </summary>
public sealed record CcdaIssue(CcdaIssueCode Code, CcdaIssueSeverity Severity, string Message, int Line = 0, string? Path = null)
{
    public override string ToString() =>
        $"{Severity} {Code} ({(Line > 0 ? $"line {Line}" : "document")}{(Path is null ? string.Empty : $", {Path}")}): {Message}";
}

/// <summary>What one C-CDA document produced: the Patient(s) of recordTarget and the DocumentReference, with the issues met.</summary>
public sealed record CcdaConversionResult(IReadOnlyList<Hl7.Fhir.Model.Resource> Resources, IReadOnlyList<CcdaIssue> Issues)
{
    /// <summary>True when something was produced and no issue is an error.</summary>
    public bool Succeeded => Resources.Count > 0 && !Issues.Any(i => i.Severity == CcdaIssueSeverity.Error);
}
