using System.Net;
using Hl7.Fhir.Model;

namespace Fhir.Phr.Server.Tests;

[Collection(ServerCollection.Name)]
public sealed class ConcurrencyTests(FhirServerFixture server)
{
    [Fact]
    public async Task TwoUpdatesWithSameIfMatch_ExactlyOneWins()
    {
        var patient = await server.Fhir().CreateAsync(TestData.Patient());

        async Task<HttpStatusCode> UpdateAsync(AdministrativeGender gender)
        {
            using var http = server.Http();
            var copy = (Patient)patient!.DeepCopy();
            copy.Gender = gender;
            using var request = new HttpRequestMessage(HttpMethod.Put, $"/Patient/{patient.Id}") { Content = CrudTests.Json(copy) };
            request.Headers.TryAddWithoutValidation("If-Match", "W/\"1\"");
            using var response = await http.SendAsync(request);
            return response.StatusCode;
        }

        var results = await Task.WhenAll(UpdateAsync(AdministrativeGender.Male), UpdateAsync(AdministrativeGender.Other));

        Assert.Single(results, s => s == HttpStatusCode.OK);
        Assert.Single(results, s => s is HttpStatusCode.PreconditionFailed or HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task EightParallelWriters_LoseNoUpdate()
    {
        var patient = await server.Fhir().CreateAsync(TestData.Patient());
        const int writers = 8;

        async Task WriteAsync(int writer)
        {
            using var http = server.Http();
            for (var attempt = 0; attempt < 200; attempt++)
            {
                using var read = await http.GetAsync(new Uri($"/Patient/{patient!.Id}", UriKind.Relative));
                var current = (Patient)await CrudTests.Parse(read);
                current.Identifier.Add(new Identifier("urn:writer", writer.ToString(System.Globalization.CultureInfo.InvariantCulture)));
                using var request = new HttpRequestMessage(HttpMethod.Put, $"/Patient/{patient.Id}") { Content = CrudTests.Json(current) };
                request.Headers.TryAddWithoutValidation("If-Match", $"W/\"{current.Meta.VersionId}\"");
                using var response = await http.SendAsync(request);
                if (response.StatusCode == HttpStatusCode.OK)
                    return;
                Assert.True(response.StatusCode is HttpStatusCode.PreconditionFailed or HttpStatusCode.Conflict, $"unexpected {response.StatusCode}");
            }
            Assert.Fail($"writer {writer} never got its update in");
        }

        await Task.WhenAll(Enumerable.Range(0, writers).Select(WriteAsync));
        var final = await server.Fhir().ReadAsync<Patient>($"Patient/{patient!.Id}");

        Assert.Equal(Enumerable.Range(0, writers).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), final!.Identifier.Where(i => i.System == "urn:writer").Select(i => i.Value).Order());
        Assert.Equal((writers + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), final.Meta.VersionId);
    }
}
