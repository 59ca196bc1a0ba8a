namespace Fhir.Phr.Import.Hl7v2;

public enum Hl7IssueSeverity
{
    Information = 1,
    Warning,
    Error,
}

public enum Hl7IssueCode
{
    // Parsing.
    EmptyInput = 1,
    NoMessageHeader,
    InvalidMessageHeader,
    SegmentOutsideMessage,
    InvalidSegmentName,
    MissingRequiredHeaderField,
    UnsupportedCharacterSet,
    InvalidCharacterEncoding,

    // Conversion.
    UnsupportedMessageType = 100,
    MissingPatientSegment,
    MissingPatientIdentifier,
    MissingPatientName,
    IdentifierWithoutSystem,
    InvalidDateTime,
    UnknownGender,
    UnknownMaritalStatus,
    TimeZoneAssumed,
    MissingMergeSegment,
    MissingDocumentContent,
    InvalidEncapsulatedData,
    MissingSendingFacility,
    UnsupportedValueType,
    ObservationOutsideOrder,
}

/// <summary>
/// Something the parser or a converter could not take as given. Positions are 1-based as HL7
/// numbers them (segment = line within the message, field = HL7 field number); 0 means "not known".
/// </summary>
public sealed record Hl7Issue(
    Hl7IssueCode Code,
    Hl7IssueSeverity Severity,
    string Message,
    int MessageIndex,
    string? Segment = null,
    int SegmentPosition = 0,
    int Field = 0)
{
    public override string ToString() =>
        $"{Severity} {Code} (message {MessageIndex}{(Segment is null ? string.Empty : $", {Segment}")}{(SegmentPosition > 0 ? $" #{SegmentPosition}" : string.Empty)}{(Field > 0 ? $"-{Field}" : string.Empty)}): {Message}";
}
