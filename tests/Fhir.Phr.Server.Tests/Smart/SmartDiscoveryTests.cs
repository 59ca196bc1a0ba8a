using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;

namespace Fhir.Phr.Server.Tests.Smart;

/// <summary>SMART discovery (conformance.md and Inferno's discovery and OpenID Connect checks).</summary>
[Collection(ServerCollection.Name)]
public sealed class SmartDiscoveryTests(FhirServerFixture server)
{
    private static readonly string[] RequiredCapabilities =
    [
        "launch-ehr", "launch-standalone", "authorize-post", "client-public", "client-confidential-symmetric", "client-confidential-asymmetric",
        "context-ehr-patient", "context-standalone-patient", "sso-openid-connect", "permission-offline", "permission-online",
        "permission-patient", "permission-user", "permission-v1", "permission-v2", "context-banner",
    ];

    [Theory]
    [InlineData("application/json")]
    [InlineData("application/fhir+json")]
    [InlineData("text/html")]
    [InlineData(null)]
    public async Task SmartConfiguration_WhateverTheAccept_IsJsonWithAbsoluteEndpoints(string? accept)
    {
        using var client = server.Anonymous();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/.well-known/smart-configuration");
        if (accept is not null)
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(accept));

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        foreach (var endpoint in new[] { "issuer", "jwks_uri", "authorization_endpoint", "token_endpoint", "introspection_endpoint", "revocation_endpoint", "registration_endpoint" })
            Assert.True(Uri.TryCreate(body.GetProperty(endpoint).GetString(), UriKind.Absolute, out _), endpoint + " is not an absolute URL");
        Assert.Equal(["S256"], Strings(body, "code_challenge_methods_supported"));
        Assert.Contains("authorization_code", Strings(body, "grant_types_supported"));
        Assert.Contains("client_credentials", Strings(body, "grant_types_supported"));
        Assert.Superset(new HashSet<string> { "private_key_jwt", "client_secret_basic" }, Strings(body, "token_endpoint_auth_methods_supported").ToHashSet());
        Assert.Contains("RS384", Strings(body, "token_endpoint_auth_signing_alg_values_supported"));
        Assert.Contains("ES384", Strings(body, "token_endpoint_auth_signing_alg_values_supported"));
        Assert.Superset(RequiredCapabilities.ToHashSet(), Strings(body, "capabilities").ToHashSet());
        Assert.Contains("launch/patient", Strings(body, "scopes_supported"));
        Assert.Equal(["code"], Strings(body, "response_types_supported"));
    }

    [Theory]
    [InlineData("/.well-known/smart-configuration")]
    [InlineData("/metadata")]
    public async Task Discovery_FromABrowserOrigin_AllowsCors(string path)
    {
        using var client = server.Anonymous();
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("Origin", "https://app.example.org");

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(response.Headers.GetValues("Access-Control-Allow-Origin").Single(), new[] { "*", "https://app.example.org" });
    }

    [Fact]
    public async Task Metadata_WithoutToken_CarriesSmartSecurity()
    {
        using var client = server.Anonymous();

        using var response = await client.GetAsync(new Uri("/metadata", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var statement = (CapabilityStatement)new FhirJsonDeserializer().DeserializeResource(await response.Content.ReadAsStringAsync());
        var security = statement.Rest.Single().Security;
        Assert.Contains(security.Service.SelectMany(s => s.Coding), c => c.System == "http://terminology.hl7.org/CodeSystem/restful-security-service" && c.Code == "SMART-on-FHIR");
        var uris = security.GetExtension("http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris");
        Assert.NotNull(uris);
        Assert.EndsWith("/auth/authorize", ((FhirUri)uris.GetExtension("authorize").Value).Value);
        Assert.EndsWith("/auth/token", ((FhirUri)uris.GetExtension("token").Value).Value);
    }

    [Fact]
    public async Task OpenIdConfiguration_ListsRs256AndAJwksWithRsaKeys()
    {
        using var client = server.Anonymous();

        var configuration = await client.GetFromJsonAsync<JsonElement>("/.well-known/openid-configuration");
        var jwks = await client.GetFromJsonAsync<JsonElement>(configuration.GetProperty("jwks_uri").GetString());

        Assert.Contains("RS256", Strings(configuration, "id_token_signing_alg_values_supported"));
        foreach (var field in new[] { "issuer", "authorization_endpoint", "token_endpoint", "jwks_uri", "response_types_supported", "subject_types_supported" })
            Assert.True(configuration.TryGetProperty(field, out _), field);
        Assert.Contains(jwks.GetProperty("keys").EnumerateArray(), key => key.GetProperty("kty").GetString() == "RSA" && key.TryGetProperty("kid", out _));
        Assert.DoesNotContain(jwks.GetProperty("keys").EnumerateArray(), key => key.TryGetProperty("d", out _));
    }

    private static List<string> Strings(JsonElement body, string property) =>
        body.GetProperty(property).EnumerateArray().Select(e => e.GetString()!).ToList();
}
