using System.Globalization;
using Fhir.Phr.Import.Csv;
using Hl7.Fhir.Model;

namespace Fhir.Phr.Import.Tests.Csv;

/// <summary>The committed synthetic CSVs in sample-data/csv, copied next to the test assembly, and compact summaries of what they produce.</summary>
internal static class CsvSamples
{
    internal const string Source = "st-mary";

    internal static string Directory => Path.Combine(AppContext.BaseDirectory, "sample-data", "csv");

    internal static IEnumerable<string> CsvFiles() =>
        System.IO.Directory.EnumerateFiles(Directory, "*.csv").Select(f => Path.GetFileName(f)!).Order(StringComparer.Ordinal);

    internal static byte[] Read(string file) => File.ReadAllBytes(Path.Combine(Directory, file));

    internal static CsvImportOptions Options(CsvDateOrder order = CsvDateOrder.DayFirst, string? mappingFile = null)
    {
        CsvColumnMapping? mapping = null;
        if (mappingFile is not null)
        {
            Assert.True(CsvColumnMapping.TryParse(File.ReadAllText(Path.Combine(Directory, mappingFile)), out mapping, out var issue), issue?.ToString());
        }

        return new CsvImportOptions { Source = Source, DateOrder = order, Mapping = mapping };
    }

    internal static CsvConversionResult Patients(string file, CsvImportOptions options)
    {
        using var stream = new MemoryStream(Read(file));
        return CsvPatientConverter.Convert(stream, options);
    }

    internal static CsvConversionResult Documents(string file, CsvImportOptions options)
    {
        using var stream = new MemoryStream(Read(file));
        return CsvDocumentIndexConverter.Convert(stream, options);
    }

    /// <summary>identifier|family|given names|birth date|gender.</summary>
    internal static string Summary(Patient patient) =>
        $"{patient.Identifier.Single().Value}|{patient.Name.Single().Family}|{string.Join(' ', patient.Name.Single().Given)}|{patient.BirthDate}|{patient.Gender}";

    /// <summary>title|patient identifier|type system#code#text|period start|date|content type|url|description.</summary>
    internal static string Summary(DocumentReference document)
    {
        var attachment = document.Content.Single().Attachment;
        var coding = document.Type?.Coding.SingleOrDefault();
        return string.Join('|',
            attachment.Title,
            document.Subject.Identifier.Value,
            $"{coding?.System}#{coding?.Code}#{document.Type?.Text}",
            document.Context?.Period?.Start,
            document.Date?.ToString("yyyy-MM-ddTHH:mm:sszzz", CultureInfo.InvariantCulture),
            attachment.ContentType,
            attachment.Url,
            document.Description);
    }

    /// <summary>Code@line:column.</summary>
    internal static string Summary(CsvIssue issue) => $"{issue.Code}@{issue.Line}:{issue.Column}";
}
