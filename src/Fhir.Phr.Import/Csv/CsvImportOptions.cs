namespace Fhir.Phr.Import.Csv;

/// <summary>How to read slash-separated dates such as 03/04/1980, which files do not label.</summary>
public enum CsvDateOrder
{
    /// <summary>dd/MM/yyyy (most of the world).</summary>
    DayFirst = 1,

    /// <summary>MM/dd/yyyy (the United States).</summary>
    MonthFirst,
}

public sealed record CsvImportOptions
{
    /// <summary>Names the sender (a hospital, a clinic export); it goes into meta.source, the default identifier system and the resource ids.</summary>
    public required string Source { get; init; }

    /// <summary>The system of the patient identifiers in the file; defaults to <c>urn:fhir-phr:mrn:&lt;Source&gt;</c>.</summary>
    public string? IdentifierSystem { get; init; }

    /// <summary>
    /// The order of day and month in dates written with separators. ISO yyyy-MM-dd is always read as such;
    /// a date such as 03/04/1980 where both parts could be a month follows this option and nothing else.
    /// </summary>
    public CsvDateOrder DateOrder { get; init; } = CsvDateOrder.DayFirst;

    /// <summary>
    /// The sender's UTC offset, for document dates and times written without one (R4 DocumentReference.date is an instant, which
    /// needs one). Null: UTC is assumed and, when a time is written without an offset, the file gets one warning.
    /// </summary>
    public TimeSpan? UtcOffset { get; init; }

    /// <summary>Names the columns of a layout that the header recognition does not know; see <see cref="CsvColumnMapping"/>.</summary>
    public CsvColumnMapping? Mapping { get; init; }

    internal string EffectiveIdentifierSystem =>
        string.IsNullOrWhiteSpace(IdentifierSystem) ? "urn:fhir-phr:mrn:" + CsvProvenance.Escape(Source) : IdentifierSystem;
}
