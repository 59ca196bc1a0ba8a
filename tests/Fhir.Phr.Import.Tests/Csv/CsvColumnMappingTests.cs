using Fhir.Phr.Import.Csv;

namespace Fhir.Phr.Import.Tests.Csv;

public sealed class CsvColumnMappingTests
{
    [Fact]
    public void TryParse_SampleMapping_ReadsColumnsAndDateFormat()
    {
        var json = File.ReadAllText(Path.Combine(CsvSamples.Directory, "patients-custom-layout.mapping.json"));

        var ok = CsvColumnMapping.TryParse(json, out var mapping, out var issue);

        Assert.True(ok);
        Assert.Null(issue);
        Assert.Equal("dd.MM.yyyy", mapping!.DateFormat);
        Assert.Equal("Hospital No", mapping.Columns["identifier"]);
        Assert.Equal("Forenames", mapping.Columns["given"]);
        Assert.Equal(5, mapping.Columns.Count);
    }

    [Theory]
    [InlineData("{ \"identifier\": ")]
    [InlineData("[\"identifier\"]")]
    [InlineData("{ \"shoeSize\": \"Shoe\" }")]
    [InlineData("{ \"identifier\": 42 }")]
    [InlineData("{ \"identifier\": \"  \" }")]
    [InlineData("{ \"identifier\": \"MRN\", \"patientIdentifier\": \"Other\" }")]
    [InlineData("{ \"identifier\": \"MRN\", \"dateFormat\": \"yyyy\" }")]
    [InlineData("{ \"identifier\": \"MRN\", \"dateFormat\": \"dd.MM.yyyy\\\\\" }")]
    [InlineData("")]
    public void TryParse_InvalidMapping_ReturnsFalseWithInvalidMappingIssue(string json)
    {
        var ok = CsvColumnMapping.TryParse(json, out var mapping, out var issue);

        Assert.False(ok);
        Assert.Null(mapping);
        Assert.Equal(CsvIssueCode.InvalidMapping, issue!.Code);
        Assert.Equal(CsvIssueSeverity.Error, issue.Severity);
        Assert.False(string.IsNullOrWhiteSpace(issue.Message));
    }

    [Fact]
    public void Convert_MappedColumnMissingFromHeader_ReportsItOnceAndProducesNothing()
    {
        Assert.True(CsvColumnMapping.TryParse("""{ "identifier": "Hospital Number", "given": "Forenames" }""", out var mapping, out _));

        var result = CsvSamples.Patients("patients-custom-layout.csv", CsvSamples.Options() with { Mapping = mapping });

        Assert.Empty(result.Resources);
        Assert.Equal(["MappedColumnNotFound@1:Hospital Number"], result.Issues.Select(CsvSamples.Summary));
    }

    [Fact]
    public void Convert_MappingOverridesHeaderRecognition()
    {
        // "Surname" would be recognised as the family name; the mapping says the family name is in "Forenames" instead.
        Assert.True(CsvColumnMapping.TryParse("""{ "identifier": "Hospital No", "family": "Forenames", "dateFormat": "dd.MM.yyyy" }""", out var mapping, out _));

        var result = CsvSamples.Patients("patients-custom-layout.csv", CsvSamples.Options() with { Mapping = mapping });

        Assert.Equal(
            ["H-55120|Clive Arthur||1945-03-15|", "H-55121|Sanne||1999-01-01|"],
            result.Resources.Cast<Hl7.Fhir.Model.Patient>().Select(CsvSamples.Summary));
    }
}
