using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using BenchmarkDotNet.Attributes;

namespace Fhir.Phr.Benchmarks.Smart;

/// <summary>
/// A FHIR read end to end over loopback HTTP with a bearer token (validation, Core's access
/// check, the read, decryption), next to the public <c>/.well-known/smart-configuration</c> for the
/// floor of an HTTP round trip. Puts the token validation cost in proportion; not a load test.
/// </summary>
[MemoryDiagnoser]
public class FhirReadBenchmarks
{
    private SmartBenchmarkServer _server = null!;
    private AuthenticationHeaderValue _bearer = null!;
    private string _patient = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _server = await SmartBenchmarkServer.StartAsync();
        _bearer = new AuthenticationHeaderValue("Bearer", await _server.ClientCredentialsTokenAsync("system/*.cruds"));
        using var create = new HttpRequestMessage(HttpMethod.Post, "/Patient")
        {
            Content = new StringContent("""{"resourceType":"Patient","identifier":[{"system":"urn:oid:1.2.36.146.595.217.0.1","value":"BENCH-1"}],"name":[{"family":"Bench","given":["Mark"]}],"gender":"other","birthDate":"1970-01-01"}""",
                System.Text.Encoding.UTF8, "application/fhir+json"),
        };
        create.Headers.Authorization = _bearer;
        using var created = await _server.Http.SendAsync(create);
        _patient = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()
            ?? throw new InvalidOperationException("creating the benchmark patient failed");
    }

    [Benchmark(Baseline = true)]
    public async Task<int> SmartConfigurationWithoutToken()
    {
        using var response = await _server.Http.GetAsync(new Uri("/.well-known/smart-configuration", UriKind.Relative));
        return (int)response.StatusCode;
    }

    [Benchmark]
    public async Task<int> ReadPatientWithToken()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/Patient/{_patient}");
        request.Headers.Authorization = _bearer;
        using var response = await _server.Http.SendAsync(request);
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"read failed: {(int)response.StatusCode}");
        return (int)response.StatusCode;
    }
}
