using Hl7.Fhir.Model;

namespace Fhir.Phr.Import.Csv;

/// <summary>What one CSV file produced: a resource per accepted row, and an issue per rejected row or doubtful value.</summary>
public sealed record CsvConversionResult(IReadOnlyList<Resource> Resources, IReadOnlyList<CsvIssue> Issues);
