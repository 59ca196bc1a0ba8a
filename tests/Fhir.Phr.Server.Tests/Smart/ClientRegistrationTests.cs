using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Fhir.Phr.Server.Tests.Smart;

/// <summary>RFC 7591 registration (an administrator's token is the initial access token) and the admin client API.</summary>
[Collection(ServerCollection.Name)]
public sealed class ClientRegistrationTests(FhirServerFixture server)
{
    private readonly SmartHarness _smart = new(server);

    private static object App(params string[] redirects) => new { client_name = "App", redirect_uris = redirects, token_endpoint_auth_method = "none", scope = "patient/*.rs" };

    [Fact]
    public async Task Register_WithoutAToken_Is401_AndWithADataOnlyToken_Is403()
    {
        using var anonymous = server.Anonymous();
        using var dataOnly = server.Anonymous();
        dataOnly.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await server.AdminTokenAsync());

        using var withoutToken = await anonymous.PostAsJsonAsync("/auth/register", App("https://app.example.org/cb"));
        using var withoutAdminScope = await dataOnly.PostAsJsonAsync("/auth/register", App("https://app.example.org/cb"));

        Assert.Equal(HttpStatusCode.Unauthorized, withoutToken.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, withoutAdminScope.StatusCode);
    }

    [Fact]
    public async Task Register_PublicApp_StoresMetadataExactly_AndGivesNoSecret()
    {
        using var admin = await _smart.AdminAsync();

        using var response = await admin.PostAsJsonAsync("/auth/register", App("https://app.example.org/cb?x=1", "http://127.0.0.1:5555/cb"));
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        Assert.False(body.TryGetProperty("client_secret", out _));
        Assert.Equal("none", body.GetProperty("token_endpoint_auth_method").GetString());
        Assert.Equal(["https://app.example.org/cb?x=1", "http://127.0.0.1:5555/cb"], body.GetProperty("redirect_uris").EnumerateArray().Select(e => e.GetString()).ToArray());
        Assert.Equal("patient/*.rs", body.GetProperty("scope").GetString());
        var clientId = body.GetProperty("client_id").GetString();
        var described = await admin.GetFromJsonAsync<JsonElement>($"/admin/clients/{clientId}");
        Assert.Equal(clientId, described.GetProperty("client_id").GetString());
    }

    [Theory]
    [InlineData("https://*.example.org/cb")]
    [InlineData("https://app.example.org/*")]
    [InlineData("http://app.example.org/cb")]
    [InlineData("https://app.example.org/cb#fragment")]
    [InlineData("/relative/cb")]
    [InlineData("javascript:alert(1)")]
    public async Task Register_WithABadRedirectUri_IsInvalidRedirectUri(string redirect)
    {
        using var admin = await _smart.AdminAsync();

        using var response = await admin.PostAsJsonAsync("/auth/register", App(redirect));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_redirect_uri", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
    }

    [Theory]
    [InlineData("""{"grant_types":["client_credentials"],"token_endpoint_auth_method":"none","scope":"system/*.rs"}""")]
    [InlineData("""{"grant_types":["password"],"redirect_uris":["https://a.example.org/cb"]}""")]
    [InlineData("""{"redirect_uris":["https://a.example.org/cb"],"scope":"system/*.rs"}""")]
    [InlineData("""{"redirect_uris":["https://a.example.org/cb"],"scope":"patient/Foo.bar"}""")]
    [InlineData("""{"grant_types":["client_credentials"],"token_endpoint_auth_method":"private_key_jwt","scope":"system/*.rs"}""")]
    [InlineData("""{"grant_types":["client_credentials"],"token_endpoint_auth_method":"private_key_jwt","scope":"system/*.rs","jwks":{"keys":[{"kty":"oct","kid":"k","k":"AAAA"}]}}""")]
    [InlineData("""{"grant_types":["client_credentials"],"token_endpoint_auth_method":"private_key_jwt","scope":"system/*.rs","jwks":{"keys":[{"kty":"RSA","kid":"k","n":"...","e":"AQAB"}]}}""")]
    [InlineData("""{"grant_types":["client_credentials"],"token_endpoint_auth_method":"private_key_jwt","scope":"system/*.rs","jwks":{"keys":[{"kty":"RSA","kid":"k","n":"AQAB","e":"AQAB"}]}}""")]
    [InlineData("""{"grant_types":["client_credentials"],"token_endpoint_auth_method":"private_key_jwt","scope":"system/*.rs","jwks":{"keys":[{"kty":"EC","kid":"k","crv":"P-384","x":"AQAB","y":"AQAB"}]}}""")]
    [InlineData("[1,2,3]")]
    public async Task Register_WithBadMetadata_IsInvalidClientMetadata(string json)
    {
        using var admin = await _smart.AdminAsync();

        using var response = await admin.PostAsync(new Uri("/auth/register", UriKind.Relative), new StringContent(json, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_client_metadata", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
    }

    [Fact]
    public async Task Register_WithAPrivateKeyInTheJwks_IsRefused()
    {
        using var admin = await _smart.AdminAsync();
        using var rsa = System.Security.Cryptography.RSA.Create(2048);
        var parameters = rsa.ExportParameters(true);
        var jwk = new JsonObject
        {
            ["kty"] = "RSA", ["kid"] = "leaked",
            ["n"] = Microsoft.AspNetCore.WebUtilities.WebEncoders.Base64UrlEncode(parameters.Modulus!),
            ["e"] = Microsoft.AspNetCore.WebUtilities.WebEncoders.Base64UrlEncode(parameters.Exponent!),
            ["d"] = Microsoft.AspNetCore.WebUtilities.WebEncoders.Base64UrlEncode(parameters.D!),
        };

        using var response = await admin.PostAsJsonAsync("/auth/register", new { grant_types = new[] { "client_credentials" }, token_endpoint_auth_method = "private_key_jwt", scope = "system/*.rs", jwks = new JsonObject { ["keys"] = new JsonArray(jwk) } });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("public keys only", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error_description").GetString());
    }

    [Fact]
    public async Task AdminApi_ListsAndDeletesClients_AndADeletedClientGetsNoTokens()
    {
        var client = await _smart.RegisterClientAsync(new { client_name = "Short-lived EMR", grant_types = new[] { "client_credentials" }, token_endpoint_auth_method = "client_secret_post", scope = "system/*.rs" });
        var clientId = client.GetProperty("client_id").GetString()!;
        var secret = client.GetProperty("client_secret").GetString()!;
        using var admin = await _smart.AdminAsync();
        var form = new Dictionary<string, string?> { ["grant_type"] = "client_credentials", ["scope"] = "system/*.rs", ["client_id"] = clientId, ["client_secret"] = secret };
        var before = await _smart.TokenAsync(null, form);

        var listed = await admin.GetFromJsonAsync<JsonElement>("/admin/clients");
        using var deleted = await admin.DeleteAsync(new Uri($"/admin/clients/{clientId}", UriKind.Relative));
        var after = await _smart.TokenAsync(null, form);

        Assert.Equal(HttpStatusCode.OK, before.Status);
        Assert.Contains(listed.EnumerateArray(), c => c.GetProperty("client_id").GetString() == clientId);
        Assert.DoesNotContain(listed.EnumerateArray(), c => c.TryGetProperty("client_secret", out _));
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, after.Status);
    }
}
