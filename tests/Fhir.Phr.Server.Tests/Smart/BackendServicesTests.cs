using System.Net;
using System.Net.Http.Json;
using Hl7.Fhir.Serialization;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.Tokens;

namespace Fhir.Phr.Server.Tests.Smart;

/// <summary>
/// SMART Backend Services (backend-services.md, client-confidential-asymmetric.md): client_credentials
/// with private_key_jwt, RS384 and ES384, and Inferno's backend checks plus the assertion rules
/// Inferno leaves to the server (signature, aud, exp, jti).
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class BackendServicesTests(FhirServerFixture server)
{
    private readonly SmartHarness _smart = new(server);

    private async Task<(string ClientId, SecurityKey Key, string Algorithm)> BackendAsync(string algorithm, string scope = "system/*.rs")
    {
        var (key, jwk, alg) = SmartHarness.NewKey(algorithm);
        var body = await _smart.RegisterClientAsync(new
        {
            client_name = "Test EMR",
            grant_types = new[] { "client_credentials" },
            token_endpoint_auth_method = "private_key_jwt",
            jwks = new JsonObject { ["keys"] = new JsonArray(jwk) },
            scope,
        });
        return (body.GetProperty("client_id").GetString()!, key, alg);
    }

    [Theory]
    [InlineData(SecurityAlgorithms.RsaSha384)]
    [InlineData(SecurityAlgorithms.EcdsaSha384)]
    public async Task SignedAssertion_GetsASystemToken_ThatReadsData(string algorithm)
    {
        var (clientId, key, alg) = await BackendAsync(algorithm);

        var token = await _smart.TokenAsync(null, SmartHarness.ClientCredentials(SmartHarness.Assertion(clientId, key, alg, _smart.TokenUrl)));

        Assert.Equal(HttpStatusCode.OK, token.Status);
        Assert.Equal("bearer", token.Get("token_type")!.ToLowerInvariant());
        Assert.InRange(token.Body.GetProperty("expires_in").GetInt32(), 1, 300);
        Assert.Equal(new HashSet<string> { "system/*.rs" }, token.Scopes);
        Assert.Contains("no-store", token.Headers.CacheControl!.ToString());
        using var client = _smart.WithToken(token.AccessToken);
        using var read = await client.GetAsync(new Uri("/Patient?_count=1", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        var patient = new FhirJsonSerializer().SerializeToString(TestData.Patient());
        using var write = await client.PostAsync(new Uri("/Patient", UriKind.Relative), new StringContent(patient, System.Text.Encoding.UTF8, "application/fhir+json"));
        Assert.Equal(HttpStatusCode.Forbidden, write.StatusCode);
    }

    [Fact]
    public async Task Assertion_AddressedToTheIssuer_IsAlsoAccepted()
    {
        var (clientId, key, alg) = await BackendAsync(SecurityAlgorithms.RsaSha384);

        var token = await _smart.TokenAsync(null, SmartHarness.ClientCredentials(SmartHarness.Assertion(clientId, key, alg, _smart.BaseUrl + "/")));

        Assert.Equal(HttpStatusCode.OK, token.Status);
    }

    [Fact]
    public async Task KeysPublishedAtAnAllowedJwksUri_AreFetched_AndAMatchingJkuIsAccepted()
    {
        var (key, jwk, alg) = SmartHarness.NewKey(SecurityAlgorithms.EcdsaSha384);
        var url = server.JwksHost.Publish(TestData.Unique("jwks") + ".json", new JsonObject { ["keys"] = new JsonArray(jwk) }.ToJsonString());
        var body = await _smart.RegisterClientAsync(new { client_name = "EMR with a JWKS URL", grant_types = new[] { "client_credentials" }, token_endpoint_auth_method = "private_key_jwt", jwks_uri = url, scope = "system/*.rs" });
        var clientId = body.GetProperty("client_id").GetString()!;

        var plain = await _smart.TokenAsync(null, SmartHarness.ClientCredentials(SmartHarness.Assertion(clientId, key, alg, _smart.TokenUrl)));
        var withJku = await _smart.TokenAsync(null, SmartHarness.ClientCredentials(SmartHarness.Assertion(clientId, key, alg, _smart.TokenUrl, header: new Dictionary<string, object> { ["jku"] = url })));

        Assert.Equal(url, body.GetProperty("jwks_uri").GetString());
        Assert.Equal(HttpStatusCode.OK, plain.Status);
        Assert.Equal(HttpStatusCode.OK, withJku.Status);
    }

    [Fact]
    public async Task JwksUriOnAHostNotAllowed_IsRefusedAtRegistration()
    {
        using var admin = await _smart.AdminAsync();

        using var response = await admin.PostAsJsonAsync("/auth/register", new { grant_types = new[] { "client_credentials" }, token_endpoint_auth_method = "private_key_jwt", jwks_uri = "https://unknown-host.example.net/jwks.json", scope = "system/*.rs" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_client_metadata", (await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("error").GetString());
    }

    [Fact]
    public async Task UnknownGrantType_Is400()
    {
        var (clientId, key, alg) = await BackendAsync(SecurityAlgorithms.RsaSha384);
        var form = SmartHarness.ClientCredentials(SmartHarness.Assertion(clientId, key, alg, _smart.TokenUrl));
        form["grant_type"] = "not_a_grant_type";

        var token = await _smart.TokenAsync(null, form);

        Assert.Equal(HttpStatusCode.BadRequest, token.Status);
        Assert.Equal("unsupported_grant_type", token.Error);
    }

    [Fact]
    public async Task UnknownAssertionType_Is400Or401()
    {
        var (clientId, key, alg) = await BackendAsync(SecurityAlgorithms.RsaSha384);
        var form = SmartHarness.ClientCredentials(SmartHarness.Assertion(clientId, key, alg, _smart.TokenUrl));
        form["client_assertion_type"] = "not_an_assertion_type";

        var token = await _smart.TokenAsync(null, form);

        Assert.Contains(token.Status, new[] { HttpStatusCode.BadRequest, HttpStatusCode.Unauthorized });
        Assert.NotNull(token.Error);
    }

    [Fact]
    public async Task AssertionSignedWithAnotherKey_Is401()
    {
        var (clientId, _, alg) = await BackendAsync(SecurityAlgorithms.RsaSha384);
        var (otherKey, _, _) = SmartHarness.NewKey(SecurityAlgorithms.RsaSha384);

        var token = await _smart.TokenAsync(null, SmartHarness.ClientCredentials(SmartHarness.Assertion(clientId, otherKey, alg, _smart.TokenUrl)));

        Assert.Equal(HttpStatusCode.Unauthorized, token.Status);
        Assert.Equal("invalid_client", token.Error);
    }

    [Fact]
    public async Task AssertionForAnotherAudience_Is401()
    {
        var (clientId, key, alg) = await BackendAsync(SecurityAlgorithms.RsaSha384);

        var token = await _smart.TokenAsync(null, SmartHarness.ClientCredentials(SmartHarness.Assertion(clientId, key, alg, "https://other.example.org/token")));

        Assert.Equal(HttpStatusCode.Unauthorized, token.Status);
        Assert.Equal("invalid_client", token.Error);
    }

    [Fact]
    public async Task ExpiredAssertion_Is401()
    {
        var (clientId, key, alg) = await BackendAsync(SecurityAlgorithms.RsaSha384);

        var token = await _smart.TokenAsync(null, SmartHarness.ClientCredentials(
            SmartHarness.Assertion(clientId, key, alg, _smart.TokenUrl, lifetime: TimeSpan.FromMinutes(2), issuedAt: DateTime.UtcNow.AddMinutes(-10))));

        Assert.Equal(HttpStatusCode.Unauthorized, token.Status);
        Assert.Equal("invalid_client", token.Error);
    }

    [Fact]
    public async Task AssertionLivingLongerThanFiveMinutes_Is401()
    {
        var (clientId, key, alg) = await BackendAsync(SecurityAlgorithms.RsaSha384);

        var token = await _smart.TokenAsync(null, SmartHarness.ClientCredentials(SmartHarness.Assertion(clientId, key, alg, _smart.TokenUrl, lifetime: TimeSpan.FromHours(1))));

        Assert.Equal(HttpStatusCode.Unauthorized, token.Status);
        Assert.Equal("invalid_client", token.Error);
    }

    [Fact]
    public async Task ReplayedAssertion_Is401()
    {
        var (clientId, key, alg) = await BackendAsync(SecurityAlgorithms.RsaSha384);
        var assertion = SmartHarness.Assertion(clientId, key, alg, _smart.TokenUrl);

        var first = await _smart.TokenAsync(null, SmartHarness.ClientCredentials(assertion));
        var replay = await _smart.TokenAsync(null, SmartHarness.ClientCredentials(assertion));

        Assert.Equal(HttpStatusCode.OK, first.Status);
        Assert.Equal(HttpStatusCode.Unauthorized, replay.Status);
        Assert.Equal("invalid_client", replay.Error);
    }

    [Fact]
    public async Task AssertionWhoseSubjectIsNotTheClient_IsRefused()
    {
        var (clientId, key, alg) = await BackendAsync(SecurityAlgorithms.RsaSha384);

        var token = await _smart.TokenAsync(null, SmartHarness.ClientCredentials(SmartHarness.Assertion(clientId, key, alg, _smart.TokenUrl, subject: "someone-else")));

        Assert.Contains(token.Status, new[] { HttpStatusCode.BadRequest, HttpStatusCode.Unauthorized });
        Assert.Null(token.Get("access_token"));
    }

    [Fact]
    public async Task AssertionWithAForeignJku_IsRefused()
    {
        var (clientId, key, alg) = await BackendAsync(SecurityAlgorithms.RsaSha384);
        var header = new Dictionary<string, object> { ["jku"] = "https://attacker.example.net/jwks.json" };

        var token = await _smart.TokenAsync(null, SmartHarness.ClientCredentials(SmartHarness.Assertion(clientId, key, alg, _smart.TokenUrl, header: header)));

        Assert.Equal(HttpStatusCode.Unauthorized, token.Status);
    }

    [Fact]
    public async Task ScopeOutsideTheRegistration_IsRefused()
    {
        var (clientId, key, alg) = await BackendAsync(SecurityAlgorithms.RsaSha384, scope: "system/Patient.rs");

        var token = await _smart.TokenAsync(null, SmartHarness.ClientCredentials(SmartHarness.Assertion(clientId, key, alg, _smart.TokenUrl), scope: "system/*.cruds"));

        Assert.Equal(HttpStatusCode.BadRequest, token.Status);
        Assert.Equal("invalid_scope", token.Error);
    }

    [Fact]
    public async Task AdminClient_WithClientSecretBasic_GetsTheReadmeToken()
    {
        var (clientId, secret) = server.AdminClient();

        var token = await _smart.TokenAsync(null, new() { ["grant_type"] = "client_credentials", ["scope"] = "system/*.cruds" }, SmartHarness.Basic(clientId, secret));
        var wrongSecret = await _smart.TokenAsync(null, new() { ["grant_type"] = "client_credentials", ["scope"] = "system/*.cruds" }, SmartHarness.Basic(clientId, secret + "x"));

        Assert.Equal(HttpStatusCode.OK, token.Status);
        Assert.Equal(new HashSet<string> { "system/*.cruds" }, token.Scopes);
        Assert.Equal(HttpStatusCode.Unauthorized, wrongSecret.Status);
        Assert.Equal("invalid_client", wrongSecret.Error);
    }

    [Fact]
    public async Task AdminClientFile_IsReadableByTheServerUserOnly()
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "Unix file modes only.");
        var path = Path.Combine(server.DataDirectory, "admin-client.json");

#pragma warning disable CA1416 // skipped on Windows above
        var mode = File.GetUnixFileMode(path);
        var keys = File.GetUnixFileMode(Path.Combine(server.DataDirectory, "oauth-keys.json"));
#pragma warning restore CA1416

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, mode);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, keys);
        Assert.Contains("\"token_endpoint\"", await File.ReadAllTextAsync(path));
    }
}
