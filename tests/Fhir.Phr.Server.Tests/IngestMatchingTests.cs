using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Hl7.Fhir.Model;
using Hl7.Fhir.Rest;
using Hl7.Fhir.Serialization;

namespace Fhir.Phr.Server.Tests;

/// <summary>`$ingest` with patient matching, the review queue and multipart uploads (issue #5).</summary>
[Collection(ServerCollection.Name)]
public sealed class IngestMatchingTests(FhirServerFixture server)
{
    private const string NorthwindMrn = "urn:oid:2.16.840.1.113883.3.9999.1";

    private static string Family() => TestData.UniqueName("Q");

    // An MDM^T02 with a discharge summary for the patient given; the MRN is in Northwind's system, never the stored patient's.
    private static byte[] Mdm(string mrn, string family, string given, string birthDate, string sex = "F") => Encoding.UTF8.GetBytes(string.Join('\r',
        $"MSH|^~\\&|ADTSYS|NORTHWIND^2.16.840.1.113883.3.9999.1^ISO|PHR|FHIRPHR|20260312083000+0100||MDM^T02^MDM_T02|{Guid.NewGuid():N}|P|2.5.1",
        "EVN|T02|20260312083000",
        $"PID|1||{mrn}^^^NORTHWIND&2.16.840.1.113883.3.9999.1&ISO^MR||{family}^{given}^^^^^L||{birthDate}|{sex}",
        "PV1|1|O",
        "TXA|1|18842-5^Discharge summary^LN|TX|20260311120000+0100|1234^Okafor^Adaeze|20260311153000+0100||||||DOC-7781^NORTHWIND|||||AU",
        "OBX|1|TX|18842-5^Discharge summary^LN||Patient admitted with community acquired pneumonia.||||||F") + "\r");

    private static ByteArrayContent Hl7(byte[] message)
    {
        var content = new ByteArrayContent(message);
        content.Headers.ContentType = new MediaTypeHeaderValue("x-application/hl7-v2+er7");
        return content;
    }

    // Every test patient of the suite is an Anna born 1980-05-03, so a test that counts candidates gives its patient a given name of its own.
    private async Task<Patient> StoredPatientAsync(string family, string? given = null)
    {
        var patient = TestData.Patient(family, birthDate: "1980-05-03", gender: AdministrativeGender.Female);
        if (given is not null)
            patient.Name[0].Given = [given];
        return await server.Fhir().CreateAsync(patient) ?? throw new InvalidOperationException();
    }

    private async Task<List<DocumentReference>> DocumentsOfAsync(string patientId) =>
        (await server.Fhir().SearchAsync<DocumentReference>(new SearchParams().Add("subject", $"Patient/{patientId}")))!.Entry.Select(e => (DocumentReference)e.Resource!).ToList();

    private static string ReviewId(OperationOutcome outcome)
    {
        var sent = Assert.Single(outcome.Issue, i => i.Diagnostics.StartsWith("sent to review as $ingest-review/", StringComparison.Ordinal));
        return sent.Diagnostics["sent to review as $ingest-review/".Length..].Split(':')[0];
    }

    private async Task<(HttpStatusCode Status, Parameters? Body)> SendAsync(HttpMethod method, string url, Parameters? body = null, string? token = null)
    {
        using var http = server.Http();
        using var request = new HttpRequestMessage(method, new Uri(url, UriKind.Relative));
        if (body is not null)
            request.Content = new StringContent(new FhirJsonSerializer().SerializeToString(body), Encoding.UTF8, "application/fhir+json");
        if (token is not null)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request);
        return (response.StatusCode, response.IsSuccessStatusCode ? (Parameters)await CrudTests.Parse(response) : null);
    }

    private static string? Part(Parameters.ParameterComponent item, string name) =>
        item.Part.FirstOrDefault(p => p.Name == name)?.Value switch
        {
            ResourceReference r => r.Reference,
            PrimitiveType p => p.ToString(),
            _ => null,
        };

    [Fact]
    public async Task Ingest_PatientMatchingAboveLinkThreshold_StoresDocumentWithTheStoredPatient_WhichGainsTheSendersMrn()
    {
        var family = Family();
        var stored = await StoredPatientAsync(family);
        var mrn = TestData.Unique("L");

        var (status, outcome) = await IngestClient.IngestAsync(server, Hl7(Mdm(mrn, family, "Anna", "19800503")));
        var byMrn = await server.Fhir().SearchAsync<Patient>(new SearchParams().Add("identifier", $"{NorthwindMrn}|{mrn}"));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains(outcome!.Issue, i => i.Diagnostics.StartsWith($"linked to Patient/{stored.Id} (match-grade probable", StringComparison.Ordinal) && i.Location.Single() == "message 0");
        Assert.Single(await DocumentsOfAsync(stored.Id));
        var patient = (Patient)Assert.Single(byMrn!.Entry).Resource;
        Assert.Equal(stored.Id, patient.Id);
        Assert.Equal([stored.Identifier[0].System, NorthwindMrn], patient.Identifier.Select(i => i.System));
    }

    [Fact]
    public async Task Ingest_PatientWithNoCandidate_CreatesANewPatient()
    {
        var mrn = TestData.Unique("N");

        var (status, outcome) = await IngestClient.IngestAsync(server, Hl7(Mdm(mrn, Family(), "Berit", "19610101")));
        var created = await server.Fhir().SearchAsync<Patient>(new SearchParams().Add("identifier", $"{NorthwindMrn}|{mrn}"));

        Assert.Equal(HttpStatusCode.OK, status);
        var patient = Assert.Single(created!.Entry).Resource;
        Assert.Contains(outcome!.Issue, i => i.Diagnostics.StartsWith($"stored Patient/{patient.Id}/", StringComparison.Ordinal));
        Assert.Single(await DocumentsOfAsync(patient.Id));
    }

    [Fact]
    public async Task Ingest_UncertainMatch_HoldsTheItemForReview_WithoutStoringIt()
    {
        var (family, given) = (Family(), TestData.UniqueName("G"));
        var stored = await StoredPatientAsync(family, given);
        var mrn = TestData.Unique("U");

        // One digit of the birth date differs: family and given agree, so the weight is between the thresholds.
        var (status, outcome) = await IngestClient.IngestAsync(server, Hl7(Mdm(mrn, family, given, "19800504")));
        var reviewId = ReviewId(outcome!);
        var (shown, details) = await SendAsync(HttpMethod.Get, $"/$ingest-review/{reviewId}");
        var (listed, pending) = await SendAsync(HttpMethod.Get, "/$ingest-review?status=pending&_count=500");
        var created = await server.Fhir().SearchAsync<Patient>(new SearchParams().Add("identifier", $"{NorthwindMrn}|{mrn}"));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(OperationOutcome.IssueSeverity.Warning, outcome!.Issue.Single(i => i.Diagnostics.StartsWith("sent to review", StringComparison.Ordinal)).Severity);
        Assert.Empty(created!.Entry);
        Assert.Empty(await DocumentsOfAsync(stored.Id));
        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (shown, listed));
        var item = Assert.Single(details!.Parameter);
        Assert.Equal("pending", Part(item, "status"));
        Assert.Equal("message 0", Part(item, "position"));
        var candidate = Assert.Single(item.Part, p => p.Name == "candidate");
        Assert.Equal($"Patient/{stored.Id}", Part(candidate, "patient"));
        Assert.Equal("possible", Part(candidate, "grade"));
        Assert.Equal(["Patient", "DocumentReference"], item.Part.Where(p => p.Name == "resource").Select(p => p.Resource.TypeName));
        Assert.Contains(pending!.Parameter, p => Part(p, "id") == reviewId);
    }

    [Fact]
    public async Task ReviewLink_StoresTheHeldItemWithTheChosenPatient_AuditsIt_AndCannotBeDecidedTwice()
    {
        var family = Family();
        var stored = await StoredPatientAsync(family);
        var (_, outcome) = await IngestClient.IngestAsync(server, Hl7(Mdm(TestData.Unique("K"), family, "Anna", "19800504")));
        var reviewId = ReviewId(outcome!);
        var decision = new Parameters();
        decision.Add("patient", new ResourceReference($"Patient/{stored.Id}"));
        decision.Add("reason", new FhirString("same person, birth date mistyped by the sender"));

        var (linked, result) = await SendAsync(HttpMethod.Post, $"/$ingest-review/{reviewId}/$link", decision);
        var (again, _) = await SendAsync(HttpMethod.Post, $"/$ingest-review/{reviewId}/$accept");
        var audits = await server.Fhir().SearchAsync<AuditEvent>(new SearchParams().Add("patient", $"Patient/{stored.Id}"));

        Assert.Equal(HttpStatusCode.OK, linked);
        var item = Assert.Single(result!.Parameter);
        Assert.Equal("linked", Part(item, "status"));
        Assert.Equal($"Patient/{stored.Id}", Part(item, "patient"));
        Assert.Equal("same person, birth date mistyped by the sender", Part(item, "reason"));
        Assert.Equal(HttpStatusCode.Conflict, again);
        Assert.Single(await DocumentsOfAsync(stored.Id));
        var audit = (AuditEvent)Assert.Single(audits!.Entry, e => ((AuditEvent)e.Resource).Subtype.Any(s => s.Code == "link")).Resource;
        Assert.Contains(audit.Entity, e => e.Description == "same person, birth date mistyped by the sender");
    }

    [Fact]
    public async Task ScanWithoutPatient_WaitsForReview_CannotBeAcceptedAlone_AndLinkMakesItThePatientsDocument()
    {
        var stored = await StoredPatientAsync(Family());
        var png = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "sample-data", "documents", "scan-lab-report.png"));
        using var scan = new ByteArrayContent(png);
        scan.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        var (status, outcome) = await IngestClient.IngestAsync(server, scan, "/$ingest?source=scanner");
        var reviewId = ReviewId(outcome!);
        var decision = new Parameters();
        decision.Add("patient", new ResourceReference($"Patient/{stored.Id}"));

        var (accepted, _) = await SendAsync(HttpMethod.Post, $"/$ingest-review/{reviewId}/$accept");
        var (linked, _) = await SendAsync(HttpMethod.Post, $"/$ingest-review/{reviewId}/$link", decision);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("no patient could be identified", outcome!.Issue.Single(i => i.Diagnostics.StartsWith("sent to review", StringComparison.Ordinal)).Diagnostics, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, accepted);
        Assert.Equal(HttpStatusCode.OK, linked);
        var document = Assert.Single(await DocumentsOfAsync(stored.Id));
        Assert.Equal("image/png", document.Content[0].Attachment.ContentType);
        Assert.StartsWith("Binary/", document.Content[0].Attachment.Url, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReviewAccept_CreatesANewPatientForTheHeldItem()
    {
        var family = Family();
        var stored = await StoredPatientAsync(family);
        var mrn = TestData.Unique("A");
        var (_, outcome) = await IngestClient.IngestAsync(server, Hl7(Mdm(mrn, family, "Anna", "19800504")));
        var reviewId = ReviewId(outcome!);

        var (accepted, result) = await SendAsync(HttpMethod.Post, $"/$ingest-review/{reviewId}/$accept");
        var created = await server.Fhir().SearchAsync<Patient>(new SearchParams().Add("identifier", $"{NorthwindMrn}|{mrn}"));

        Assert.Equal(HttpStatusCode.OK, accepted);
        var patient = Assert.Single(created!.Entry).Resource;
        Assert.NotEqual(stored.Id, patient.Id);
        Assert.Equal($"Patient/{patient.Id}", Part(Assert.Single(result!.Parameter), "patient"));
        Assert.Single(await DocumentsOfAsync(patient.Id));
        Assert.Empty(await DocumentsOfAsync(stored.Id));
    }

    [Fact]
    public async Task ReviewReject_NeedsAReason_AndStoresNothing()
    {
        var family = Family();
        var stored = await StoredPatientAsync(family);
        var mrn = TestData.Unique("J");
        var (_, outcome) = await IngestClient.IngestAsync(server, Hl7(Mdm(mrn, family, "Anna", "19800504")));
        var reviewId = ReviewId(outcome!);
        var reason = new Parameters();
        reason.Add("reason", new FhirString("test message sent to production"));

        var (withoutReason, _) = await SendAsync(HttpMethod.Post, $"/$ingest-review/{reviewId}/$reject");
        var (rejected, result) = await SendAsync(HttpMethod.Post, $"/$ingest-review/{reviewId}/$reject", reason);
        var (listed, rejectedItems) = await SendAsync(HttpMethod.Get, "/$ingest-review?status=rejected&_count=500");
        var created = await server.Fhir().SearchAsync<Patient>(new SearchParams().Add("identifier", $"{NorthwindMrn}|{mrn}"));

        Assert.Equal(HttpStatusCode.BadRequest, withoutReason);
        Assert.Equal(HttpStatusCode.OK, rejected);
        Assert.Equal("rejected", Part(Assert.Single(result!.Parameter), "status"));
        Assert.Equal(HttpStatusCode.OK, listed);
        Assert.Contains(rejectedItems!.Parameter, p => Part(p, "id") == reviewId);
        Assert.Empty(created!.Entry);
        Assert.Empty(await DocumentsOfAsync(stored.Id));
    }

    [Fact]
    public async Task ReviewLink_ToAnUnknownPatient_Returns404_AndLeavesTheItemPending()
    {
        var family = Family();
        await StoredPatientAsync(family);
        var (_, outcome) = await IngestClient.IngestAsync(server, Hl7(Mdm(TestData.Unique("X"), family, "Anna", "19800504")));
        var reviewId = ReviewId(outcome!);
        var decision = new Parameters();
        decision.Add("patient", new ResourceReference("Patient/" + Guid.NewGuid().ToString("N")));

        var (linked, _) = await SendAsync(HttpMethod.Post, $"/$ingest-review/{reviewId}/$link", decision);
        var (_, details) = await SendAsync(HttpMethod.Get, $"/$ingest-review/{reviewId}");

        Assert.Equal(HttpStatusCode.NotFound, linked);
        Assert.Equal("pending", Part(Assert.Single(details!.Parameter), "status"));
    }

    [Theory]
    [InlineData("admin")]
    [InlineData("system/Patient.cruds")]
    public async Task Review_WithoutSystemAccessToHeldItems_Returns403(string scope)
    {
        var token = await server.AdminTokenAsync(scope);

        var (listed, _) = await SendAsync(HttpMethod.Get, "/$ingest-review", token: token);
        var (accepted, _) = await SendAsync(HttpMethod.Post, $"/$ingest-review/{Guid.NewGuid()}/$accept", token: token);

        Assert.Equal((HttpStatusCode.Forbidden, HttpStatusCode.Forbidden), (listed, accepted));
    }

    [Fact]
    public async Task Review_UnknownItem_Returns404_AndBadStatus400()
    {
        var (shown, _) = await SendAsync(HttpMethod.Get, $"/$ingest-review/{Guid.NewGuid()}");
        var (listed, _) = await SendAsync(HttpMethod.Get, "/$ingest-review?status=maybe");

        Assert.Equal((HttpStatusCode.NotFound, HttpStatusCode.BadRequest), (shown, listed));
    }

    [Fact]
    public async Task Ingest_MultipartFiles_StoresEachAndNamesThePartInPositions()
    {
        var (first, second) = (TestData.Unique("F"), TestData.Unique("S"));
        var ndjson = $"{{\"resourceType\":\"Patient\",\"identifier\":[{{\"system\":\"urn:test:multipart\",\"value\":\"{second}\"}}],\"name\":[{{\"family\":\"{Family()}\"}}]}}\n"
            + "{\"resourceType\":\"Patient\",\"gender\":\"robot\"}\n";
        using var form = new MultipartFormDataContent();
        form.Add(Hl7(Mdm(first, Family(), "Carla", "19550505")), "files", "northwind.hl7");
        var untyped = new ByteArrayContent(Encoding.UTF8.GetBytes(ndjson));
        form.Add(untyped, "files", "export.ndjson");

        var (status, outcome) = await IngestClient.IngestAsync(server, form);
        var stored = await server.Fhir().SearchAsync<Patient>(new SearchParams().Add("identifier", $"{NorthwindMrn}|{first},urn:test:multipart|{second}"));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(2, stored!.Entry.Count);
        Assert.Contains(outcome!.Issue, i => i.Location.Single() == "part 1 (northwind.hl7): message 0" && i.Diagnostics.StartsWith("stored DocumentReference/", StringComparison.Ordinal));
        Assert.Contains(outcome.Issue, i => i.Location.Single() == "part 2 (export.ndjson): line 1" && i.Diagnostics.StartsWith("stored Patient/", StringComparison.Ordinal));
        Assert.Equal("part 2 (export.ndjson): line 2", Assert.Single(outcome.Issue, i => i.Severity == OperationOutcome.IssueSeverity.Error).Location.Single());
    }

    [Fact]
    public async Task Ingest_BrokenMultipart_Returns400WithAnOutcome()
    {
        var body = new ByteArrayContent("--abc\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a.hl7\"\r\n\r\nMSH|^~\\&|X"u8.ToArray());
        body.Headers.ContentType = MediaTypeHeaderValue.Parse("multipart/form-data; boundary=abc");
        var noBoundary = new ByteArrayContent("x"u8.ToArray());
        noBoundary.Headers.ContentType = MediaTypeHeaderValue.Parse("multipart/form-data");

        var (truncated, outcome) = await IngestClient.IngestAsync(server, body);
        var (withoutBoundary, _) = await IngestClient.IngestAsync(server, noBoundary);

        Assert.Equal((HttpStatusCode.BadRequest, HttpStatusCode.BadRequest), (truncated, withoutBoundary));
        Assert.Equal(OperationOutcome.IssueSeverity.Error, outcome!.Issue.Single().Severity);
    }

    [Fact]
    public async Task Ingest_MultipartWithAnUnknownPart_Returns415NamingThePart_AndStoresNothing()
    {
        using var form = new MultipartFormDataContent();
        form.Add(Hl7(Mdm(TestData.Unique("Z"), Family(), "Dora", "19700101")), "files", "ok.hl7");
        form.Add(new ByteArrayContent("just some words"u8.ToArray()), "files", "notes.bin");

        var (status, outcome) = await IngestClient.IngestAsync(server, form);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, status);
        Assert.StartsWith("part 2 (notes.bin): ", outcome!.Issue.Single().Diagnostics, StringComparison.Ordinal);
    }
}
