using System.Globalization;
using System.Text;
using Fhir.Phr.Import.Documents;
using Fhir.Phr.Import.Tests.Ccda;
using Hl7.Fhir.Model;

namespace Fhir.Phr.Import.Tests.Documents;

public sealed class DocumentConversionTests
{
    private const string Mrn = "urn:fhir-phr:mrn:northwind";

    /// <summary>What each sample must give, written out by hand from its text.</summary>
    private sealed record Expected(
        string ContentType,
        string? Kind,
        string? Identifier,
        decimal? IdentifierConfidence,
        string? SubjectDisplay,
        string? Date,
        decimal? DateConfidence,
        DocumentIssueCode[] Warnings);

    private static readonly Dictionary<string, Expected> Samples = new(StringComparer.Ordinal)
    {
        ["discharge-summary.pdf"] = new("application/pdf", "18842-5", "4471203", 0.9m, "Adaeze Okafor (born 1961-02-14)", "2026-03-09", 0.9m, []),
        ["lab-report.pdf"] = new("application/pdf", "11502-2", "LAB-00981", 0.9m, "Jonas Berg (born 1975-07-30)", "2026-03-08", 0.9m, []),
        ["radiology-report.pdf"] = new("application/pdf", "18748-4", "RAD-552817", 0.9m, "Maria Lopez (born 1990-05-03)", "2026-03-11", 0.9m, []),
        ["prescription.pdf"] = new("application/pdf", "57833-6", "88213", 0.9m, "Tomasz Nowak (born 1948-09-21)", "2026-03-12", 0.7m, []),
        ["progress-note-two-pages.pdf"] = new("application/pdf", "11506-3", "300517", 0.9m, "Wei Chen (born 1988-11-02)", "2026-02-20", 0.9m, []),
        ["referral-letter.txt"] = new("text/plain; charset=utf-8", "57133-1", "LAB-00981", 0.9m, "Jonas Berg (born 1975-07-30)", "2026-02-15", 0.7m, []),
        ["progress-note-latin1.txt"] = new("text/plain", "11506-3", "600123", 0.9m, "Jürgen Müller (born 1959-05-02)", "2026-03-03", 0.9m, []),
        ["consult-note-utf16.txt"] = new("text/plain; charset=utf-16", "11488-4", "551020", 0.9m, "Grace O'Neill (born 1972-04-18)", "2026-01-18", 0.9m, []),
        ["discharge-two-identifiers.txt"] = new("text/plain; charset=utf-8", "18842-5", "4471203", 0.6m, "Adaeze Okafor (born 1961-02-14)", "2026-03-09", 0.9m,
            [DocumentIssueCode.AmbiguousPatientIdentifier]),
        ["letter-no-patient.txt"] = new("text/plain; charset=utf-8", null, null, null, null, null, null,
            [DocumentIssueCode.UnclassifiedDocument, DocumentIssueCode.NoPatientFound, DocumentIssueCode.NoDocumentDate]),
        ["scanned-no-text.pdf"] = new("application/pdf", "57133-1", null, null, null, "2026-03-01", 0.3m, [DocumentIssueCode.NoPatientFound]),
        ["scan-discharge-summary.jpg"] = new("image/jpeg", "18842-5", null, null, null, "2026-03-09", 0.3m, [DocumentIssueCode.NoPatientFound]),
        ["scan-lab-report.png"] = new("image/png", "11502-2", null, null, null, "2026-03-08", 0.3m, [DocumentIssueCode.NoPatientFound]),
        ["IMG_0001.png"] = new("image/png", null, null, null, null, null, null,
            [DocumentIssueCode.UnclassifiedDocument, DocumentIssueCode.NoPatientFound, DocumentIssueCode.NoDocumentDate]),
        // Typed pages scanned, with no metadata and neutral names: without OCR nothing is known of them (DocumentOcrTests reads them).
        ["ocr-typed-1.png"] = new("image/png", null, null, null, null, null, null,
            [DocumentIssueCode.UnclassifiedDocument, DocumentIssueCode.NoPatientFound, DocumentIssueCode.NoDocumentDate]),
        ["ocr-typed-2.jpg"] = new("image/jpeg", null, null, null, null, null, null,
            [DocumentIssueCode.UnclassifiedDocument, DocumentIssueCode.NoPatientFound, DocumentIssueCode.NoDocumentDate]),
        ["ocr-image-only.pdf"] = new("application/pdf", null, null, null, null, null, null,
            [DocumentIssueCode.UnclassifiedDocument, DocumentIssueCode.NoPatientFound, DocumentIssueCode.NoDocumentDate]),
        ["damaged.pdf"] = new("application/pdf", null, null, null, null, null, null,
            [DocumentIssueCode.UnreadablePdf, DocumentIssueCode.UnclassifiedDocument, DocumentIssueCode.NoPatientFound, DocumentIssueCode.NoDocumentDate]),
    };

    public static TheoryData<string> Converted => [.. Samples.Keys.Order(StringComparer.Ordinal)];

    [Fact]
    public void Samples_EveryFileHasAnExpectation()
    {
        Assert.Equal(Samples.Keys.Append("not-a-document.bin").Order(StringComparer.Ordinal), DocumentSamples.AllFiles());
    }

    [Theory]
    [MemberData(nameof(Converted))]
    public void TryConvert_Sample_FindsPatientDateAndKindFieldByField(string file)
    {
        var expected = Samples[file];

        var ok = DocumentToFhir.TryConvert(DocumentSamples.Read(file), DocumentSamples.Options(file), out var result);

        Assert.True(ok, string.Join("; ", result.Issues));
        Assert.Equal(expected.Warnings.Order(), result.Issues.Where(i => i.Severity >= DocumentIssueSeverity.Warning).Select(i => i.Code).Order());
        var document = Assert.IsType<DocumentReference>(Assert.Single(result.Resources));
        Assert.Equal(DocumentReferenceStatus.Current, document.Status);
        var original = document.Content[0].Attachment;
        Assert.Equal(expected.ContentType, original.ContentType);
        Assert.Equal(DocumentSamples.Read(file), original.Data);
        Assert.Equal(file, original.Title);

        Assert.Equal(expected.Kind, document.Type.Coding.SingleOrDefault()?.Code);
        if (expected.Kind is null)
        {
            Assert.Equal(DocumentToFhir.UnclassifiedText, document.Type.Text);
        }
        else
        {
            Assert.Equal("http://loinc.org", document.Type.Coding.Single().System);
            var confidence = Confidence(document.Type);
            Assert.True(expected.ContentType.StartsWith("image/", StringComparison.Ordinal) || file == "scanned-no-text.pdf" ? confidence == 0.3m : confidence >= 0.8m, $"{confidence}");
        }

        Assert.Equal(expected.Identifier, document.Subject?.Identifier.Value);
        Assert.Equal(expected.Identifier is null ? null : Mrn, document.Subject?.Identifier.System);
        Assert.Equal(expected.IdentifierConfidence, document.Subject is null ? null : Confidence(document.Subject));
        Assert.Equal(expected.SubjectDisplay, document.Subject?.Display);
        Assert.Equal(expected.Date, document.Context?.Period.Start);
        Assert.Equal(expected.Date is null ? null : DateTimeOffset.Parse(expected.Date + "T00:00:00Z", CultureInfo.InvariantCulture), document.Date);
        Assert.Equal(expected.DateConfidence, document.DateElement is null ? null : Confidence(document.DateElement));
    }

    [Theory]
    [MemberData(nameof(Converted))]
    public void TryConvert_Sample_IsValidR4WithProvenanceAndAContentHash(string file)
    {
        var document = (DocumentReference)DocumentSamples.Convert(file).Resources.Single();

        R4Conformance.AssertValid(document);
        Assert.Equal("urn:fhir-phr:document:northwind", document.Meta.Source);
        Assert.Equal((DocumentToFhir.ConverterTagSystem, "document"), (document.Meta.Tag.Single().System, document.Meta.Tag.Single().Code));
        var hash = Convert.ToBase64String(System.Security.Cryptography.SHA256.HashData(DocumentSamples.Read(file))).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        Assert.Equal((DocumentToFhir.ContentHashSystem, "ni:///sha-256;" + hash), (document.Identifier.Single().System, document.Identifier.Single().Value));
    }

    [Fact]
    public void TryConvert_Pdf_AddsTheExtractedTextForSearch()
    {
        var document = (DocumentReference)DocumentSamples.Convert("progress-note-two-pages.pdf").Resources.Single();

        var text = Assert.Single(document.Content, c => c.Attachment.Title == DocumentToFhir.ExtractedTextTitle).Attachment;
        Assert.Equal("text/plain; charset=utf-8", text.ContentType);
        var extracted = Encoding.UTF8.GetString(text.Data);
        Assert.StartsWith("Riverside Family Practice\nPROGRESS NOTE\nPatient Name: Chen, Wei", extracted, StringComparison.Ordinal);
        Assert.Contains("Plan: fluids, rest, review if not better in one week.", extracted, StringComparison.Ordinal);
    }

    [Fact]
    public void TryConvert_PdfMetadata_GivesTitleAndCreation()
    {
        var document = (DocumentReference)DocumentSamples.Convert("lab-report.pdf").Resources.Single();

        Assert.Equal("Laboratory results", document.Description);
        Assert.Equal("2026-03-08", document.Content[0].Attachment.Creation);
    }

    [Fact]
    public void TryConvert_JpegScan_ReadsExifDescriptionAndDate()
    {
        var result = DocumentSamples.Convert("scan-discharge-summary.jpg");

        var document = (DocumentReference)result.Resources.Single();
        Assert.Equal("Discharge summary, page 1", document.Description);
        Assert.Equal(new DateOnly(2026, 3, 9), result.Findings.DocumentDate.Value);
        Assert.Contains(result.Issues, i => i.Code == DocumentIssueCode.NoText);
    }

    [Fact]
    public void TryConvert_MonthFirstOption_ReadsSlashedDatesTheAmericanWay()
    {
        var text = "PROGRESS NOTE\nMRN: 12345\nDOB: 07/04/1980\nDate of Service: 03/02/2026\n"u8.ToArray();

        _ = DocumentToFhir.TryConvert(text, new DocumentImportOptions { Source = "us", DateOrder = Fhir.Phr.Import.Csv.CsvDateOrder.MonthFirst }, out var monthFirst);
        _ = DocumentToFhir.TryConvert(text, new DocumentImportOptions { Source = "eu" }, out var dayFirst);

        Assert.Equal((new DateOnly(1980, 7, 4), new DateOnly(2026, 3, 2)), (monthFirst.Findings.BirthDate.Value, monthFirst.Findings.DocumentDate.Value));
        Assert.Equal((new DateOnly(1980, 4, 7), new DateOnly(2026, 2, 3)), (dayFirst.Findings.BirthDate.Value, dayFirst.Findings.DocumentDate.Value));
    }

    [Fact]
    public void TryConvert_IdentifierSystemOption_IsTheSubjectsSystem()
    {
        _ = DocumentToFhir.TryConvert(DocumentSamples.Read("discharge-summary.pdf"), new DocumentImportOptions { Source = "x", IdentifierSystem = "urn:oid:2.16.840.1.113883.3.9999.1" }, out var result);

        Assert.Equal("urn:oid:2.16.840.1.113883.3.9999.1", ((DocumentReference)result.Resources.Single()).Subject.Identifier.System);
    }

    [Fact]
    public void TryConvert_DeclaredTypeDisagreeingWithTheBytes_TrustsTheBytesAndSaysSo()
    {
        _ = DocumentToFhir.TryConvert(DocumentSamples.Read("scan-lab-report.png"), new DocumentImportOptions { Source = "x", ContentType = "application/pdf" }, out var result);

        Assert.Equal("image/png", ((DocumentReference)result.Resources.Single()).Content[0].Attachment.ContentType);
        Assert.Contains(result.Issues, i => i.Code == DocumentIssueCode.ContentTypeMismatch && i.Severity == DocumentIssueSeverity.Warning);
    }

    [Theory]
    [InlineData("not-a-document.bin", DocumentIssueCode.UnsupportedFormat)]
    public void TryConvert_NotADocument_ReturnsFalseWithoutResources(string file, DocumentIssueCode expected)
    {
        var ok = DocumentToFhir.TryConvert(DocumentSamples.Read(file), DocumentSamples.Options(file), out var result);

        Assert.False(ok);
        Assert.Empty(result.Resources);
        Assert.Equal((expected, DocumentIssueSeverity.Error), (result.Issues.Single().Code, result.Issues.Single().Severity));
    }

    [Fact]
    public void TryConvert_EmptyAndTooLarge_AreErrors()
    {
        Assert.False(DocumentToFhir.TryConvert([], new DocumentImportOptions { Source = "x" }, out var empty));
        Assert.False(DocumentToFhir.TryConvert(DocumentSamples.Read("lab-report.pdf"), new DocumentImportOptions { Source = "x", MaxBytes = 100 }, out var large));

        Assert.Equal(DocumentIssueCode.EmptyInput, empty.Issues.Single().Code);
        Assert.Equal(DocumentIssueCode.InputTooLarge, large.Issues.Single().Code);
    }

    [Theory]
    [InlineData("%PDF-1.4", "application/pdf")]
    [InlineData("plain words\n", "text/plain")]
    [InlineData("\u0001\u0002\u0003\u0004", null)]
    public void Sniff_TellsTheFormatFromTheFirstBytes(string head, string? expected)
    {
        Assert.Equal(expected, DocumentToFhir.Sniff(Encoding.Latin1.GetBytes(head)));
    }

    private static decimal? Confidence(Element element) => element.GetExtensionValue<FhirDecimal>(DocumentToFhir.ConfidenceExtension)?.Value;
}
