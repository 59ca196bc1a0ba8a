using System.Net;
using System.Net.Http.Headers;
using Fhir.Phr.Server.Smart;
using Microsoft.Extensions.DependencyInjection;

namespace Fhir.Phr.Server.Tests.Smart;

/// <summary>Every FHIR, DICOMweb and ingest request needs a valid bearer token; discovery stays public.</summary>
[Collection(ServerCollection.Name)]
public sealed class ApiAuthenticationTests(FhirServerFixture server)
{
    [Theory]
    [InlineData("GET", "/Patient")]
    [InlineData("GET", "/Patient/example")]
    [InlineData("GET", "/_history")]
    [InlineData("POST", "/")]
    [InlineData("POST", "/Patient")]
    [InlineData("GET", "/Patient/example/$everything")]
    [InlineData("GET", "/dicomweb/studies")]
    [InlineData("POST", "/$ingest")]
    public async Task Request_WithoutToken_Is401WithWwwAuthenticateAndAnOutcome(string method, string path)
    {
        using var client = server.Anonymous();
        using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = method == "POST" ? new StringContent("{}") : null };

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains(response.Headers.WwwAuthenticate, h => h.Scheme == "Bearer");
        Assert.Contains("OperationOutcome", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("not-a-token")]
    [InlineData("eyJhbGciOiJub25lIiwidHlwIjoiYXQrand0In0.eyJzdWIiOiJhZG1pbiIsInNjb3BlIjoic3lzdGVtLyouY3J1ZHMifQ.")]
    public async Task Request_WithAnInvalidToken_Is401(string token)
    {
        using var client = server.Anonymous();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

        using var response = await client.GetAsync(new Uri("/Patient", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("invalid_token", response.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task Request_WithAnExpiredToken_Is401()
    {
        var token = await server.AdminTokenAsync();
        using var client = server.Anonymous();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

        HttpStatusCode status;
        server.Clock.Offset = TimeSpan.FromMinutes(10);
        try
        {
            using var response = await client.GetAsync(new Uri("/Patient", UriKind.Relative));
            status = response.StatusCode;
        }
        finally
        {
            server.Clock.Offset = TimeSpan.Zero;
        }
        using var fresh = await client.GetAsync(new Uri("/Patient?_count=1", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);
    }

    [Fact]
    public async Task ValidatedToken_IsRemembered_AndItsExpiryStillApplies()
    {
        var cache = server.Factory.Services.GetRequiredService<ValidatedTokenCache>();
        var token = await server.AdminTokenAsync("system/*.rs");
        using var client = server.Anonymous();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var before = cache.Count;

        using var first = await client.GetAsync(new Uri("/Patient?_count=1", UriKind.Relative));
        var remembered = cache.Count;
        using var second = await client.GetAsync(new Uri("/Patient?_count=1", UriKind.Relative));
        HttpStatusCode afterExpiry;
        server.Clock.Offset = TimeSpan.FromMinutes(6);
        try
        {
            using var late = await client.GetAsync(new Uri("/Patient?_count=1", UriKind.Relative));
            afterExpiry = late.StatusCode;
        }
        finally
        {
            server.Clock.Offset = TimeSpan.Zero;
        }

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(before + 1, remembered);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(remembered, cache.Count);
        Assert.Equal(HttpStatusCode.Unauthorized, afterExpiry);
    }

    [Fact]
    public async Task IdToken_IsNotAnAccessToken()
    {
        var smart = new SmartHarness(server);
        var app = await smart.PublicAppAsync();
        var user = await smart.PatientUserAsync();
        var token = await smart.LaunchAsync(app, user, "launch/patient openid fhirUser patient/*.rs");
        using var client = smart.WithToken(token.Get("id_token")!);

        using var response = await client.GetAsync(new Uri($"/Patient/{user.PatientId}", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Theory]
    [InlineData("/metadata")]
    [InlineData("/.well-known/smart-configuration")]
    [InlineData("/.well-known/openid-configuration")]
    public async Task Discovery_IsPublic(string path)
    {
        using var client = server.Anonymous();

        using var response = await client.GetAsync(new Uri(path, UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task FhirApiPreflight_FromABrowserApp_IsAllowed()
    {
        using var client = server.Anonymous();
        using var request = new HttpRequestMessage(HttpMethod.Options, "/Patient/example");
        request.Headers.Add("Origin", "https://app.example.org");
        request.Headers.Add("Access-Control-Request-Method", "GET");
        request.Headers.Add("Access-Control-Request-Headers", "authorization");

        using var response = await client.SendAsync(request);

        Assert.True(response.IsSuccessStatusCode, $"preflight gave {(int)response.StatusCode}");
        Assert.Contains(response.Headers.GetValues("Access-Control-Allow-Origin").Single(), new[] { "*", "https://app.example.org" });
    }

    [Fact]
    public async Task TokenEndpointPreflight_FromABrowserApp_IsAllowed()
    {
        using var client = server.Anonymous();
        using var request = new HttpRequestMessage(HttpMethod.Options, "/auth/token");
        request.Headers.Add("Origin", "https://app.example.org");
        request.Headers.Add("Access-Control-Request-Method", "POST");

        using var response = await client.SendAsync(request);

        Assert.True(response.IsSuccessStatusCode, $"preflight gave {(int)response.StatusCode}");
        Assert.True(response.Headers.Contains("Access-Control-Allow-Origin"));
    }
}
