using System.Net;
using System.Text;
using Hl7.Fhir.Model;

namespace Fhir.Phr.Server.Tests;

[Collection(ServerCollection.Name)]
public sealed class ErrorTests(FhirServerFixture server)
{
    public static TheoryData<string, string, string, HttpStatusCode> BadBodies => new()
    {
        { "/Patient", "application/fhir+json", "{not json", HttpStatusCode.BadRequest },
        { "/Patient", "application/fhir+json", "{\"resourceType\":\"Patient\",\"birthDate\":\"yesterday\"}", HttpStatusCode.BadRequest },
        { "/Patient", "application/fhir+json", "{\"resourceType\":\"Patient\",\"unknownElement\":1}", HttpStatusCode.BadRequest },
        { "/Patient", "application/fhir+json", "{\"resourceType\":\"Observation\",\"status\":\"final\",\"code\":{\"text\":\"x\"}}", HttpStatusCode.BadRequest },
        { "/Patient", "application/fhir+json", "{\"resourceType\":\"Nope\"}", HttpStatusCode.BadRequest },
        { "/Patient", "application/fhir+json", "", HttpStatusCode.BadRequest },
        { "/Patient", "application/fhir+xml", "<Patient xmlns=\"http://hl7.org/fhir\"><birthDate value=\"x\"/>", HttpStatusCode.BadRequest },
        { "/Patient", "application/fhir+xml", "<!DOCTYPE x [<!ENTITY a \"aaaa\">]><Patient xmlns=\"http://hl7.org/fhir\"/>", HttpStatusCode.BadRequest },
        { "/Patient", "text/csv", "a,b", HttpStatusCode.UnsupportedMediaType },
        { "/Observation", "application/fhir+json", "{\"resourceType\":\"Observation\"}", HttpStatusCode.NotFound },
        { "/NotAType", "application/fhir+json", "{\"resourceType\":\"Patient\"}", HttpStatusCode.NotFound },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task BadInput_GetsOperationOutcomeWithRightStatus(string url, string contentType, string body, HttpStatusCode expected)
    {
        using var http = server.Http();

        using var response = await http.PostAsync(new Uri(url, UriKind.Relative), new StringContent(body, Encoding.UTF8, contentType));

        Assert.Equal(expected, response.StatusCode);
        await CrudTests.Outcome(response);
    }

    [Fact]
    public async Task DeeplyNestedJson_Returns400_NotACrash()
    {
        using var http = server.Http();
        var body = "{\"resourceType\":\"Patient\",\"extension\":[" + string.Concat(Enumerable.Repeat("{\"url\":\"x\",\"extension\":[", 5000)) + string.Concat(Enumerable.Repeat("]}", 5000)) + "]}";

        using var response = await http.PostAsync(new Uri("/Patient", UriKind.Relative), new StringContent(body, Encoding.UTF8, "application/fhir+json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task DeeplyNestedXml_Returns400_NotACrash()
    {
        using var http = server.Http();
        var body = "<Patient xmlns=\"http://hl7.org/fhir\">" + string.Concat(Enumerable.Repeat("<extension url=\"x\">", 5000)) + string.Concat(Enumerable.Repeat("</extension>", 5000)) + "</Patient>";

        using var response = await http.PostAsync(new Uri("/Patient", UriKind.Relative), new StringContent(body, Encoding.UTF8, "application/fhir+xml"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task BodyOverLimit_Returns413()
    {
        using var http = server.Http();
        var big = new string('a', 17 * 1024 * 1024);
        var body = "{\"resourceType\":\"Patient\",\"text\":{\"status\":\"generated\",\"div\":\"" + big + "\"}}";

        using var response = await http.PostAsync(new Uri("/Patient", UriKind.Relative), new StringContent(body, Encoding.UTF8, "application/fhir+json"));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task Update_WithIdMismatch_Returns400()
    {
        using var http = server.Http();
        var patient = TestData.Patient();
        patient.Id = "one";

        using var response = await http.PutAsync(new Uri("/Patient/two", UriKind.Relative), CrudTests.Json(patient));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        await CrudTests.Outcome(response);
    }

    [Fact]
    public async Task Update_WithoutIdInBody_Returns400()
    {
        using var http = server.Http();

        using var response = await http.PutAsync(new Uri("/Patient/abc", UriKind.Relative), CrudTests.Json(TestData.Patient()));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task WrongMethod_Returns405OperationOutcome()
    {
        using var http = server.Http();

        using var response = await http.PostAsync(new Uri("/Patient/123", UriKind.Relative), new StringContent("{}", Encoding.UTF8, "application/fhir+json"));

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        await CrudTests.Outcome(response);
    }

    [Fact]
    public async Task UnsupportedAccept_Returns406()
    {
        using var http = server.Http();
        http.DefaultRequestHeaders.Accept.Clear();
        http.DefaultRequestHeaders.Accept.ParseAdd("text/csv");

        using var response = await http.GetAsync(new Uri("/metadata", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotAcceptable, response.StatusCode);
    }

    [Fact]
    public async Task VRead_OfUnknownVersion_Returns404()
    {
        var patient = await server.Fhir().CreateAsync(TestData.Patient());
        using var http = server.Http();

        using var response = await http.GetAsync(new Uri($"/Patient/{patient!.Id}/_history/9", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(OperationOutcome.IssueType.NotFound, (await CrudTests.Outcome(response)).Issue[0].Code);
    }
}
