using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Hl7.Fhir.Model;
using Fhir.Phr.Core.Ingest;
using Fhir.Phr.Import.Documents;
using Hl7.Fhir.Rest;
using Microsoft.Extensions.DependencyInjection;
using UglyToad.PdfPig.Content;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Fonts.Standard14Fonts;
using UglyToad.PdfPig.Writer;

namespace Fhir.Phr.Server.Tests;

[Collection(ServerCollection.Name)]
public sealed class IngestTests(FhirServerFixture server)
{
    private static byte[] Sample(string name) => File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "sample-data", "hl7v2", name));

    private Task<(HttpStatusCode Status, OperationOutcome? Outcome)> IngestAsync(byte[] body, string contentType, string url = "/$ingest")
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        return IngestClient.IngestAsync(server, content, url);
    }

    [Fact]
    public async Task Ingest_Hl7Mdm_CreatesPatientAndDocumentLinkedToIt()
    {
        var (status, outcome) = await IngestAsync(Sample("mdm-t02-text.hl7"), "x-application/hl7-v2+er7");
        var patients = await server.Fhir().SearchAsync<Patient>(new SearchParams().Add("identifier", "urn:oid:2.16.840.1.113883.3.9999.1|100021"));
        var patient = Assert.Single(patients!.Entry).Resource;
        var documents = await server.Fhir().SearchAsync<DocumentReference>(new SearchParams().Add("subject", $"Patient/{patient.Id}"));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains(outcome!.Issue, i => i.Diagnostics.StartsWith("stored DocumentReference/", StringComparison.Ordinal));
        var document = (DocumentReference)Assert.Single(documents!.Entry).Resource;
        Assert.Equal("18842-5", document.Type.Coding[0].Code);
        Assert.Equal("text/plain", document.Content[0].Attachment.ContentType);
    }

    [Fact]
    public async Task Ingest_SniffsHl7_AndReportsBadMessagesByPosition()
    {
        var file = Sample("adt-a01-basic.hl7").Concat("\rMSH|^~\\&|X\rPID|1\r"u8.ToArray()).ToArray();

        var (status, outcome) = await IngestAsync(file, "application/octet-stream");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains(outcome!.Issue, i => i.Severity == OperationOutcome.IssueSeverity.Information && i.Diagnostics.StartsWith("stored Patient/", StringComparison.Ordinal));
        Assert.Contains(outcome.Issue, i => i.Severity == OperationOutcome.IssueSeverity.Error && i.Location.Any(l => l.StartsWith("message", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Ingest_SameFileTwice_DoesNotDuplicatePatients()
    {
        await IngestAsync(Sample("adt-a04-register.hl7"), "x-application/hl7-v2+er7");
        var first = await server.Fhir().SearchAsync<Patient>(new SearchParams().Add("_tag", "http://fhir-phr.dev/fhir/CodeSystem/converter|hl7v2").LimitTo(1000));

        await IngestAsync(Sample("adt-a04-register.hl7"), "x-application/hl7-v2+er7");
        var second = await server.Fhir().SearchAsync<Patient>(new SearchParams().Add("_tag", "http://fhir-phr.dev/fhir/CodeSystem/converter|hl7v2").LimitTo(1000));

        Assert.Equal(first!.Entry.Count, second!.Entry.Count);
    }

    [Fact]
    public async Task Ingest_CsvRosterThenDocumentIndex_LinksDocumentsToStoredPatients()
    {
        var mrn = TestData.Unique("R");
        var roster = $"mrn,first name,last name,dob,sex\n{mrn},Ada,Lovelace,1815-12-10,F\n,No,Identifier,1990-01-01,M\n";
        var index = $"file name,patient id,document type,date\n{mrn}-discharge.pdf,{mrn},discharge summary,2024-02-03\n";

        var (rosterStatus, rosterOutcome) = await IngestAsync(System.Text.Encoding.UTF8.GetBytes(roster), "text/csv", "/$ingest?source=northwind");
        var (indexStatus, _) = await IngestAsync(System.Text.Encoding.UTF8.GetBytes(index), "text/csv", "/$ingest?source=northwind");
        var patients = await server.Fhir().SearchAsync<Patient>(new SearchParams().Add("identifier", mrn));
        var patient = Assert.Single(patients!.Entry).Resource;
        var documents = await server.Fhir().SearchAsync<DocumentReference>(new SearchParams().Add("subject", $"Patient/{patient.Id}"));

        Assert.Equal(HttpStatusCode.OK, rosterStatus);
        Assert.Equal(HttpStatusCode.OK, indexStatus);
        Assert.Contains(rosterOutcome!.Issue, i => i.Severity == OperationOutcome.IssueSeverity.Error && i.Location.Contains("line 3"));
        var document = (DocumentReference)Assert.Single(documents!.Entry).Resource;
        Assert.Equal("18842-5", document.Type.Coding[0].Code);
    }

    [Fact]
    public async Task Ingest_CsvWithoutSource_Returns400()
    {
        var (status, _) = await IngestAsync("mrn,last name\n1,X\n"u8.ToArray(), "text/csv");

        Assert.Equal(HttpStatusCode.BadRequest, status);
    }

    [Fact]
    public async Task Ingest_UnknownFormat_Returns415_AndEmptyBody400()
    {
        // text/plain is a document format now (#5), so unknown means bytes of no recognisable shape sent as octet-stream.
        var (unknown, _) = await IngestAsync("just some words"u8.ToArray(), "application/octet-stream");
        var (empty, _) = await IngestAsync([], "text/plain");

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, unknown);
        Assert.Equal(HttpStatusCode.BadRequest, empty);
    }

    private const string CcdaPatientSystem = "urn:oid:2.16.840.1.113883.3.9999.1";

    // A committed C-CDA sample with this test's own patient and document ids, so tests sharing the server never meet.
    private static (byte[] Document, string Mrn, string DocumentId) UniqueCcda(string file, string mrn, string documentId)
    {
        var xml = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "sample-data", "ccda", file));
        var mrnValue = TestData.Unique("C");
        var documentValue = TestData.Unique("D");
        xml = xml.Replace($"extension=\"{mrn}\"", $"extension=\"{mrnValue}\"", StringComparison.Ordinal)
            .Replace($"extension=\"{documentId}\"", $"extension=\"{documentValue}\"", StringComparison.Ordinal);
        return (Encoding.UTF8.GetBytes(xml), mrnValue, documentValue);
    }

    private async Task<DocumentReference> SingleDocumentOfAsync(string identifier)
    {
        var patients = await server.Fhir().SearchAsync<Patient>(new SearchParams().Add("identifier", identifier));
        var patient = Assert.Single(patients!.Entry).Resource;
        var documents = await server.Fhir().SearchAsync<DocumentReference>(new SearchParams().Add("subject", $"Patient/{patient.Id}"));
        return Assert.IsType<DocumentReference>(Assert.Single(documents!.Entry).Resource);
    }

    [Fact]
    public async Task Ingest_Ccda_CreatesPatientAndDocumentKeepingTheOriginalAndNarrative()
    {
        var (ccd, mrn, _) = UniqueCcda("ccd.xml", "4471203", "CCD-0001");

        var (status, outcome) = await IngestAsync(ccd, "application/cda+xml");
        var document = await SingleDocumentOfAsync($"{CcdaPatientSystem}|{mrn}");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains(outcome!.Issue, i => i.Diagnostics.StartsWith("stored DocumentReference/", StringComparison.Ordinal));
        Assert.Equal("34133-9", document.Type.Coding[0].Code);
        Assert.Equal("N", document.SecurityLabel.Single().Coding.Single().Code);
        var original = document.Content[0].Attachment;
        Assert.Equal("application/cda+xml", original.ContentType);
        Assert.Equal(ccd, original.Data);
        Assert.StartsWith("Binary/", original.Url, StringComparison.Ordinal);
        using var http = server.Http();
        using var binary = await http.GetAsync(new Uri(original.Url, UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, binary.StatusCode);
        Assert.StartsWith("Allergies and Intolerances\n", Encoding.UTF8.GetString(document.Content[1].Attachment.Data), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ingest_CcdaSentAsPlainXmlTwice_IsSniffedAndStoredOnce()
    {
        var (pdf, mrn, documentId) = UniqueCcda("unstructured-pdf.xml", "LAB-00981", "UNS-900");

        var (first, _) = await IngestAsync(pdf, "application/xml");
        var (second, _) = await IngestAsync(pdf, "application/octet-stream");
        var byId = await server.Fhir().SearchAsync<DocumentReference>(new SearchParams().Add("identifier", $"urn:oid:2.16.840.1.113883.3.9999.100|{documentId}"));

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (first, second));
        var document = (DocumentReference)Assert.Single(byId!.Entry).Resource;
        Assert.Equal(["application/cda+xml", "application/pdf"], document.Content.Select(c => c.Attachment.ContentType));
        Assert.Equal((await SingleDocumentOfAsync($"urn:oid:2.16.840.1.113883.3.9999.2|{mrn}")).Id, document.Id);
    }

    [Fact]
    public async Task Ingest_CcdaWithoutRecordTarget_IsRejectedWithTheLine()
    {
        var (status, outcome) = await IngestAsync(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "sample-data", "ccda", "bad-no-record-target.xml")), "application/cda+xml");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains(outcome!.Issue, i => i.Severity == OperationOutcome.IssueSeverity.Error && i.Diagnostics.Contains("MissingRecordTarget", StringComparison.Ordinal) && i.Location.Contains("line 3"));
        Assert.DoesNotContain(outcome.Issue, i => i.Diagnostics.StartsWith("stored", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Ingest_TextLetterSentTwice_LinksToThePatientOfItsSourceByTheMrnInItsTextOnce()
    {
        var mrn = TestData.Unique("M");
        // A family name of this test's own, so the roster's patient is not matched to another test's Jonas Berg.
        var family = TestData.UniqueName("Berg");
        var roster = $"mrn,first name,last name,dob,sex\n{mrn},Jonas,{family},1975-07-30,M\n";
        var letter = $"Referral letter\nDate: 15 February 2026\nPatient: Jonas {family}   DOB: 30/07/1975\nMRN: {mrn}\nI would be grateful if you could see him.\n";

        await IngestAsync(Encoding.UTF8.GetBytes(roster), "text/csv", "/$ingest?source=northwind");
        var (status, outcome) = await IngestAsync(Encoding.UTF8.GetBytes(letter), "text/plain", "/$ingest?source=northwind");
        await IngestAsync(Encoding.UTF8.GetBytes(letter), "text/plain", "/$ingest?source=northwind");
        var document = await SingleDocumentOfAsync($"urn:fhir-phr:mrn:northwind|{mrn}");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.DoesNotContain(outcome!.Issue, i => i.Severity == OperationOutcome.IssueSeverity.Error);
        Assert.Equal("57133-1", document.Type.Coding.Single().Code);
        Assert.Equal($"Jonas {family} (born 1975-07-30)", document.Subject.Display);
        Assert.Equal(new DateTimeOffset(2026, 2, 15, 0, 0, 0, TimeSpan.Zero), document.Date);
        Assert.Equal(Encoding.UTF8.GetBytes(letter), document.Content.Single().Attachment.Data);
    }

    [Fact]
    public async Task Ingest_Pdf_IsReadForItsPatientAndKeptWhole()
    {
        var mrn = TestData.Unique("P");
        var family = TestData.UniqueName("Lopez");
        await IngestAsync(Encoding.UTF8.GetBytes($"mrn,first name,last name\n{mrn},Maria,{family}\n"), "text/csv", "/$ingest?source=radiology");
        var pdf = Pdf("RADIOLOGY REPORT", $"Name: Maria {family}", $"Medical Record Number: {mrn}", "Exam date: 11 March 2026", "Impression: no acute disease.");

        var (status, _) = await IngestAsync(pdf, "application/octet-stream", "/$ingest?source=radiology");
        var document = await SingleDocumentOfAsync($"urn:fhir-phr:mrn:radiology|{mrn}");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("18748-4", document.Type.Coding.Single().Code);
        Assert.Equal("application/pdf", document.Content[0].Attachment.ContentType);
        Assert.Equal(pdf, document.Content[0].Attachment.Data);
        Assert.Contains($"Medical Record Number: {mrn}", Encoding.UTF8.GetString(document.Content[1].Attachment.Data), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ingest_PngScanOfAStoredPatient_IsReadByOcrAndLinkedToThem()
    {
        var ocr = server.Factory.Services.GetRequiredService<DocumentOcr>();
        Assert.True(ocr.Recognizer is not null, $"OCR of scanned documents is {ocr.State}");
        // The scan names MRN 7730415; a source of this test's own makes that identifier's system unique to it.
        var source = TestData.Unique("scanner");
        var patient = TestData.Patient("Lindqvist", birthDate: "1967-08-22");
        patient.Identifier = [new Identifier($"urn:fhir-phr:mrn:{source}", "7730415")];
        patient.Name[0].Given = ["Sofia"];
        var stored = await server.Fhir().CreateAsync(patient);
        var png = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "sample-data", "documents", "ocr-typed-1.png"));

        var (status, outcome) = await IngestAsync(png, "image/png", $"/$ingest?source={source}");
        var document = await SingleDocumentOfAsync($"urn:fhir-phr:mrn:{source}|7730415");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.DoesNotContain(outcome!.Issue, i => i.Diagnostics.StartsWith("sent to review", StringComparison.Ordinal));
        Assert.Equal($"Patient/{stored!.Id}", document.Subject.Reference);
        Assert.Equal("Sofia Lindqvist (born 1967-08-22)", document.Subject.Display);
        Assert.True(document.Subject.GetExtensionValue<FhirDecimal>(DocumentToFhir.ConfidenceExtension).Value < 0.9m);
        Assert.Equal("18842-5", document.Type.Coding.Single().Code);
        Assert.Equal(png, document.Content[0].Attachment.Data);
        Assert.Contains("7730415", Encoding.UTF8.GetString(document.Content.Single(c => c.Attachment.Title == DocumentToFhir.OcrTextTitle).Attachment.Data), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ingest_DocumentWithoutSource_Returns400()
    {
        var (status, _) = await IngestAsync("%PDF-1.7\n"u8.ToArray(), "application/pdf");

        Assert.Equal(HttpStatusCode.BadRequest, status);
    }

    [Fact]
    public async Task Ingest_Ndjson_StoresEachLineAndReportsTheBadOne()
    {
        var (a, b) = (TestData.Unique("N"), TestData.Unique("N"));
        var ndjson = $"{{\"resourceType\":\"Patient\",\"identifier\":[{{\"system\":\"urn:test:ndjson\",\"value\":\"{a}\"}}],\"name\":[{{\"family\":\"Ndjson\"}}]}}\n"
            + "{\"resourceType\":\"Patient\",\"gender\":\"robot\"}\n"
            + $"{{\"resourceType\":\"Patient\",\"identifier\":[{{\"system\":\"urn:test:ndjson\",\"value\":\"{b}\"}}],\"name\":[{{\"family\":\"Ndjson\"}}]}}\n";

        var (status, outcome) = await IngestAsync(Encoding.UTF8.GetBytes(ndjson), "application/fhir+ndjson");
        var stored = await server.Fhir().SearchAsync<Patient>(new SearchParams().Add("identifier", $"urn:test:ndjson|{a},urn:test:ndjson|{b}"));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(2, stored!.Entry.Count);
        var bad = Assert.Single(outcome!.Issue, i => i.Severity == OperationOutcome.IssueSeverity.Error);
        Assert.Equal("line 2", bad.Location.Single());
    }

    [Fact]
    public async Task Ingest_NdjsonSentAsOctetStream_IsSniffed()
    {
        var (a, b) = (TestData.Unique("S"), TestData.Unique("S"));
        var ndjson = $"{{\"resourceType\":\"Patient\",\"identifier\":[{{\"system\":\"urn:test:ndjson\",\"value\":\"{a}\"}}],\"name\":[{{\"family\":\"Sniffed\"}}]}}\n"
            + $"{{\"resourceType\":\"Patient\",\"identifier\":[{{\"system\":\"urn:test:ndjson\",\"value\":\"{b}\"}}],\"name\":[{{\"family\":\"Sniffed\"}}]}}\n";

        var (status, outcome) = await IngestAsync(Encoding.UTF8.GetBytes(ndjson), "application/octet-stream");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(2, outcome!.Issue.Count(i => i.Diagnostics.StartsWith("stored Patient/", StringComparison.Ordinal)));
    }

    private static byte[] Pdf(params string[] lines)
    {
        var builder = new PdfDocumentBuilder();
        var font = builder.AddStandard14Font(Standard14Font.Helvetica);
        var page = builder.AddPage(PageSize.A4);
        var y = 780.0;
        foreach (var line in lines)
        {
            page.AddText(line, 11, new PdfPoint(50, y), font);
            y -= 18;
        }

        return builder.Build();
    }
}
