using System.Net;
using System.Text;
using Hl7.Fhir.Model;

namespace Fhir.Phr.Server.Tests;

[Collection(ServerCollection.Name)]
public sealed class PatchTests(FhirServerFixture server)
{
    [Fact]
    public async Task JsonPatch_ReplacesElement_AndCreatesVersion()
    {
        var patient = await server.Fhir().CreateAsync(TestData.Patient());
        using var http = server.Http();
        var body = new StringContent("[{\"op\":\"replace\",\"path\":\"/gender\",\"value\":\"other\"}]", Encoding.UTF8, "application/json-patch+json");

        using var response = await http.PatchAsync(new Uri($"/Patient/{patient!.Id}", UriKind.Relative), body);
        var patched = (Patient)await CrudTests.Parse(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(AdministrativeGender.Other, patched.Gender);
        Assert.Equal("2", patched.Meta.VersionId);
    }

    [Fact]
    public async Task FhirPathPatch_ViaFhirClient()
    {
        var patient = await server.Fhir().CreateAsync(TestData.Patient());
        var patch = new Parameters();
        patch.Parameter.Add(new Parameters.ParameterComponent
        {
            Name = "operation",
            Part =
            [
                new Parameters.ParameterComponent { Name = "type", Value = new Code("add") },
                new Parameters.ParameterComponent { Name = "path", Value = new FhirString("Patient") },
                new Parameters.ParameterComponent { Name = "name", Value = new FhirString("active") },
                new Parameters.ParameterComponent { Name = "value", Value = new FhirBoolean(true) },
            ],
        });

        var patched = await server.Fhir().PatchAsync(new Uri($"Patient/{patient!.Id}", UriKind.Relative), patch);

        Assert.True(((Patient)patched!).Active);
    }

    [Fact]
    public async Task JsonPatch_FailingTest_Returns422_AndLeavesResource()
    {
        var patient = await server.Fhir().CreateAsync(TestData.Patient());
        using var http = server.Http();
        var body = new StringContent("[{\"op\":\"test\",\"path\":\"/gender\",\"value\":\"male\"},{\"op\":\"remove\",\"path\":\"/gender\"}]", Encoding.UTF8, "application/json-patch+json");

        using var response = await http.PatchAsync(new Uri($"/Patient/{patient!.Id}", UriKind.Relative), body);
        var read = await server.Fhir().ReadAsync<Patient>($"Patient/{patient.Id}");

        Assert.Equal((HttpStatusCode)422, response.StatusCode);
        Assert.Equal("1", read!.Meta.VersionId);
    }

    [Fact]
    public async Task JsonPatch_ThatBreaksTheProfile_Returns422()
    {
        var patient = await server.Fhir().CreateAsync(TestData.Patient());
        using var http = server.Http();
        var body = new StringContent("[{\"op\":\"remove\",\"path\":\"/identifier\"}]", Encoding.UTF8, "application/json-patch+json");

        using var response = await http.PatchAsync(new Uri($"/Patient/{patient!.Id}", UriKind.Relative), body);

        Assert.Equal((HttpStatusCode)422, response.StatusCode);
    }

    [Fact]
    public async Task Patch_WithStaleIfMatch_Returns412()
    {
        var patient = await server.Fhir().CreateAsync(TestData.Patient());
        await server.Fhir().UpdateAsync(patient!);
        using var http = server.Http();
        using var request = new HttpRequestMessage(HttpMethod.Patch, $"/Patient/{patient!.Id}")
        {
            Content = new StringContent("[{\"op\":\"replace\",\"path\":\"/gender\",\"value\":\"other\"}]", Encoding.UTF8, "application/json-patch+json"),
        };
        request.Headers.TryAddWithoutValidation("If-Match", "W/\"1\"");

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.PreconditionFailed, response.StatusCode);
    }
}
