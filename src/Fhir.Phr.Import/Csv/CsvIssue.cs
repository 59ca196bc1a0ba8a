namespace Fhir.Phr.Import.Csv;

public enum CsvIssueSeverity
{
    /// <summary>The value was taken with an assumption or left out; the row still produced a resource.</summary>
    Warning = 1,

    /// <summary>The row (or, at line 0 or the header line, the whole file) produced no resource.</summary>
    Error,
}

public enum CsvIssueCode
{
    // The file as a whole.
    EmptyFile = 1,
    NoUsableHeader,
    MappedColumnNotFound,
    MappingFieldNotUsed,
    InvalidMapping,
    UnrecognisedColumn,
    DuplicateColumn,
    EncodingAssumed,
    MalformedFile,

    // One row.
    WrongColumnCount = 100,
    MalformedQuoting,
    MissingIdentifier,
    DuplicateIdentifier,
    MissingName,
    InvalidDate,
    TimeZoneAssumed,
    InvalidGender,
    MissingFileName,
    MissingDocumentType,
    MissingDate,
    DuplicateFileName,
    InvalidContentType,
    UnknownContentType,
}

/// <summary>
/// Something a CSV converter could not take as given. <paramref name="Line"/> is the 1-based line of the
/// file where the row starts (lines inside quoted fields and empty lines count, as an editor shows them);
/// 0 when the issue is not tied to a line. <paramref name="Column"/> is the header as written in the file.
/// </summary>
public sealed record CsvIssue(CsvIssueCode Code, CsvIssueSeverity Severity, int Line, string? Column, string Message)
{
    public override string ToString() =>
        $"{Severity} {Code} (line {Line}{(Column is null ? string.Empty : $", column '{Column}'")}): {Message}";
}
