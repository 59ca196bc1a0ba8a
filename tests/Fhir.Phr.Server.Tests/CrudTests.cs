using System.Net;
using System.Text;
using Hl7.Fhir.Model;
using Hl7.Fhir.Rest;
using Hl7.Fhir.Serialization;

namespace Fhir.Phr.Server.Tests;

[Collection(ServerCollection.Name)]
public sealed class CrudTests(FhirServerFixture server)
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task Create_ThenRead_ReturnsStoredResourceWithVersionMeta()
    {
        var client = server.Fhir();
        var family = TestData.Unique("Fam");

        var created = await client.CreateAsync(TestData.Patient(family));
        var read = await client.ReadAsync<Patient>($"Patient/{created!.Id}");

        Assert.Equal("1", read!.Meta.VersionId);
        Assert.Equal(family, read.Name[0].Family);
        Assert.NotNull(read.Meta.LastUpdated);
    }

    [Fact]
    public async Task Update_CreatesNewVersion_AndVReadReturnsBoth()
    {
        var client = server.Fhir();
        var created = await client.CreateAsync(TestData.Patient());
        created!.Gender = AdministrativeGender.Male;

        var updated = await client.UpdateAsync(created);
        var first = await client.ReadAsync<Patient>($"Patient/{created.Id}/_history/1");
        var second = await client.ReadAsync<Patient>($"Patient/{created.Id}/_history/2");

        Assert.Equal("2", updated!.Meta.VersionId);
        Assert.Equal(AdministrativeGender.Female, first!.Gender);
        Assert.Equal(AdministrativeGender.Male, second!.Gender);
    }

    [Fact]
    public async Task Put_WithClientId_CreatesResource_Returns201()
    {
        using var http = server.Http();
        var id = TestData.Unique("client-");
        var patient = TestData.Patient();
        patient.Id = id;

        using var response = await http.PutAsync(new Uri($"/Patient/{id}", UriKind.Relative), Json(patient));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("W/\"1\"", response.Headers.ETag?.ToString());
        Assert.EndsWith($"/Patient/{id}/_history/1", response.Headers.Location!.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Delete_ThenRead_Returns410_AndHistoryKeepsTombstone()
    {
        var client = server.Fhir();
        var created = await client.CreateAsync(TestData.Patient());

        await client.DeleteAsync($"Patient/{created!.Id}");
        var error = await Assert.ThrowsAsync<FhirOperationException>(() => client.ReadAsync<Patient>($"Patient/{created.Id}"));
        var history = await client.HistoryAsync($"Patient/{created.Id}");

        Assert.Equal(HttpStatusCode.Gone, error.Status);
        Assert.Equal(2, history!.Total);
        Assert.Equal(Bundle.HTTPVerb.DELETE, history.Entry[0].Request.Method);
        Assert.Null(history.Entry[0].Resource);
    }

    [Fact]
    public async Task Read_Unknown_Returns404OperationOutcome()
    {
        using var http = server.Http();

        using var response = await http.GetAsync(new Uri("/Patient/does-not-exist", UriKind.Relative));
        var outcome = await Outcome(response);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(OperationOutcome.IssueType.NotFound, outcome.Issue[0].Code);
    }

    [Fact]
    public async Task Update_WithStaleIfMatch_Returns412()
    {
        using var http = server.Http();
        var client = server.Fhir();
        var created = await client.CreateAsync(TestData.Patient());
        await client.UpdateAsync(created!);
        using var request = new HttpRequestMessage(HttpMethod.Put, $"/Patient/{created!.Id}") { Content = Json(created) };
        request.Headers.TryAddWithoutValidation("If-Match", "W/\"1\"");

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.PreconditionFailed, response.StatusCode);
        Assert.Equal(OperationOutcome.IssueType.Conflict, (await Outcome(response)).Issue[0].Code);
    }

    [Fact]
    public async Task Read_WithCurrentETagInIfNoneMatch_Returns304()
    {
        using var http = server.Http();
        var created = await server.Fhir().CreateAsync(TestData.Patient());
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/Patient/{created!.Id}");
        request.Headers.TryAddWithoutValidation("If-None-Match", "W/\"1\"");

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotModified, response.StatusCode);
    }

    [Fact]
    public async Task Read_WithIfModifiedSinceAfterUpdate_Returns304_AndBeforeReturns200()
    {
        using var http = server.Http();
        var created = await server.Fhir().CreateAsync(TestData.Patient());
        var lastModified = created!.Meta.LastUpdated!.Value;

        using var later = new HttpRequestMessage(HttpMethod.Get, $"/Patient/{created.Id}");
        later.Headers.IfModifiedSince = lastModified.AddSeconds(5);
        using var earlier = new HttpRequestMessage(HttpMethod.Get, $"/Patient/{created.Id}");
        earlier.Headers.IfModifiedSince = lastModified.AddHours(-1);
        using var notModified = await http.SendAsync(later);
        using var modified = await http.SendAsync(earlier);

        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Equal(HttpStatusCode.OK, modified.StatusCode);
    }

    [Fact]
    public async Task Create_WithPreferMinimal_ReturnsEmptyBodyAndLocation()
    {
        using var http = server.Http();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/Patient") { Content = Json(TestData.Patient()) };
        request.Headers.TryAddWithoutValidation("Prefer", "return=minimal");

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
        Assert.NotNull(response.Headers.Location);
    }

    [Fact]
    public async Task Create_WithPreferOperationOutcome_ReturnsOutcome()
    {
        using var http = server.Http();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/Patient") { Content = Json(TestData.Patient()) };
        request.Headers.TryAddWithoutValidation("Prefer", "return=OperationOutcome");

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.IsType<OperationOutcome>(await Parse(response));
    }

    [Fact]
    public async Task ConditionalCreate_WhenMatchExists_ReturnsExistingWith200()
    {
        using var http = server.Http();
        var mrn = TestData.Unique("mrn");
        var first = await server.Fhir().CreateAsync(TestData.Patient(mrn: mrn));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/Patient") { Content = Json(TestData.Patient(mrn: mrn)) };
        request.Headers.TryAddWithoutValidation("If-None-Exist", $"identifier=urn:oid:1.2.36.146.595.217.0.1|{mrn}");

        using var response = await http.SendAsync(request);
        var returned = (Patient)await Parse(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(first!.Id, returned.Id);
    }

    [Fact]
    public async Task ConditionalUpdate_NoMatch_Creates_ThenOneMatch_Updates()
    {
        using var http = server.Http();
        var mrn = TestData.Unique("mrn");
        var url = $"/Patient?identifier=urn:oid:1.2.36.146.595.217.0.1|{mrn}";

        using var first = await http.PutAsync(new Uri(url, UriKind.Relative), Json(TestData.Patient(mrn: mrn)));
        var created = (Patient)await Parse(first);
        var changed = TestData.Patient(mrn: mrn, birthDate: "1970-01-01");
        using var second = await http.PutAsync(new Uri(url, UriKind.Relative), Json(changed));
        var updated = (Patient)await Parse(second);

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(created.Id, updated.Id);
        Assert.Equal("2", updated.Meta.VersionId);
        Assert.Equal("1970-01-01", updated.BirthDate);
    }

    [Fact]
    public async Task ConditionalDelete_DeletesTheOneMatch()
    {
        using var http = server.Http();
        var mrn = TestData.Unique("mrn");
        var created = await server.Fhir().CreateAsync(TestData.Patient(mrn: mrn));

        using var response = await http.DeleteAsync(new Uri($"/Patient?identifier={mrn}", UriKind.Relative));
        using var read = await http.GetAsync(new Uri($"/Patient/{created!.Id}", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(HttpStatusCode.Gone, read.StatusCode);
    }

    [Fact]
    public async Task ConditionalUpdate_MultipleMatches_Returns412()
    {
        using var http = server.Http();
        var family = TestData.Unique("Twin");
        await server.Fhir().CreateAsync(TestData.Patient(family));
        await server.Fhir().CreateAsync(TestData.Patient(family));

        using var response = await http.PutAsync(new Uri($"/Patient?family:exact={family}", UriKind.Relative), Json(TestData.Patient(family)));

        Assert.Equal(HttpStatusCode.PreconditionFailed, response.StatusCode);
    }

    [Fact]
    public async Task History_WithCountPaging_FollowsNextLinks()
    {
        var client = server.Fhir();
        var patient = await client.CreateAsync(TestData.Patient());
        for (var i = 0; i < 4; i++)
            patient = await client.UpdateAsync(patient!);

        var page = await client.HistoryAsync($"Patient/{patient!.Id}", pageSize: 2);
        var versions = new List<string>();
        while (page is not null)
        {
            versions.AddRange(page.Entry.Select(e => e.Resource.Meta.VersionId));
            page = await client.ContinueAsync(page);
        }

        Assert.Equal(["5", "4", "3", "2", "1"], versions);
    }

    [Fact]
    public async Task History_Since_ReturnsOnlyLaterVersions()
    {
        var client = server.Fhir();
        var patient = await client.CreateAsync(TestData.Patient());
        await Task.Delay(20);
        var since = DateTimeOffset.UtcNow;
        await Task.Delay(20);
        await client.UpdateAsync(patient!);

        var history = await client.HistoryAsync($"Patient/{patient!.Id}", since);

        Assert.Single(history!.Entry);
        Assert.Equal("2", history.Entry[0].Resource.Meta.VersionId);
    }

    [Fact]
    public async Task TypeAndSystemHistory_IncludeNewVersion()
    {
        var client = server.Fhir();
        var patient = await client.CreateAsync(TestData.Patient());

        var typeHistory = await client.TypeHistoryAsync("Patient", DateTimeOffset.UtcNow.AddSeconds(-30), pageSize: 1000);
        var systemHistory = await client.WholeSystemHistoryAsync(DateTimeOffset.UtcNow.AddSeconds(-30), pageSize: 1000);

        Assert.Contains(typeHistory!.Entry, e => e.Resource?.Id == patient!.Id);
        Assert.Contains(systemHistory!.Entry, e => e.Resource?.Id == patient!.Id);
    }

    [Fact]
    public async Task Read_AsXml_WithFormatParameter_AndPretty()
    {
        using var http = server.Http();
        var created = await server.Fhir().CreateAsync(TestData.Patient());

        using var response = await http.GetAsync(new Uri($"/Patient/{created!.Id}?_format=xml&_pretty=true", UriKind.Relative));
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal("application/fhir+xml", response.Content.Headers.ContentType!.MediaType);
        Assert.Contains("<Patient xmlns=\"http://hl7.org/fhir\">", text, StringComparison.Ordinal);
        Assert.Contains("\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_FromXml_IsStored()
    {
        using var http = server.Http();
        var patient = TestData.Patient();
        var body = patient.ToXml();

        using var response = await http.PostAsync(new Uri("/Patient", UriKind.Relative), new StringContent(body, Encoding.UTF8, "application/fhir+xml"));

        var stored = await server.Fhir().ReadAsync<Patient>(response.Headers.Location!.ToString());
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(patient.Name[0].Family, stored!.Name[0].Family);
    }

    [Fact]
    public async Task Read_WithSummaryAndElements_ReturnsSubset()
    {
        using var http = server.Http();
        var created = await server.Fhir().CreateAsync(TestData.Patient());

        using var elements = await http.GetAsync(new Uri($"/Patient/{created!.Id}?_elements=gender", UriKind.Relative));
        var subset = (Patient)await Parse(elements);

        Assert.Equal(AdministrativeGender.Female, subset.Gender);
        Assert.Empty(subset.Name);
        Assert.Empty(subset.Identifier);
    }

    internal static StringContent Json(Resource resource) =>
        new(resource.ToJson(), Encoding.UTF8, "application/fhir+json");

    internal static async Task<Resource> Parse(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        return new FhirJsonDeserializer().DeserializeResource(text);
    }

    internal static async Task<OperationOutcome> Outcome(HttpResponseMessage response) =>
        Assert.IsType<OperationOutcome>(await Parse(response));
}
