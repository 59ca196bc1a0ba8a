using System.Net;
using System.Net.Http.Headers;
using Hl7.Fhir.Model;
using Hl7.Fhir.Rest;

namespace Fhir.Phr.Server.Tests;

[Collection(ServerCollection.Name)]
public sealed class IngestTests(FhirServerFixture server)
{
    private static byte[] Sample(string name) => File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "sample-data", "hl7v2", name));

    private async Task<(HttpStatusCode Status, OperationOutcome? Outcome)> IngestAsync(byte[] body, string contentType, string url = "/$ingest")
    {
        using var http = server.Http();
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        using var accepted = await http.PostAsync(new Uri(url, UriKind.Relative), content);
        if (accepted.StatusCode != HttpStatusCode.Accepted)
            return (accepted.StatusCode, null);
        var status = accepted.Content.Headers.ContentLocation ?? accepted.Headers.Location ?? new Uri(accepted.Headers.GetValues("Content-Location").Single());
        for (var attempt = 0; attempt < 240; attempt++)
        {
            using var poll = await http.GetAsync(status);
            if (poll.StatusCode != HttpStatusCode.Accepted)
                return (poll.StatusCode, await CrudTests.Outcome(poll));
            await Task.Delay(250);
        }
        throw new TimeoutException("The $ingest job did not finish in 60 s.");
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
        var (unknown, _) = await IngestAsync("just some words"u8.ToArray(), "text/plain");
        var (empty, _) = await IngestAsync([], "text/plain");

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, unknown);
        Assert.Equal(HttpStatusCode.BadRequest, empty);
    }
}
