using System.Net;
using System.Net.Http.Headers;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Fhir.Phr.Server.Tests.Smart;

/// <summary>Token introspection (RFC 7662, token-introspection.md, Inferno's introspection group) and revocation (RFC 7009).</summary>
[Collection(ServerCollection.Name)]
public sealed class IntrospectionTests(FhirServerFixture server)
{
    private const string Scope = "launch/patient openid fhirUser offline_access patient/*.rs";
    private readonly SmartHarness _smart = new(server);

    [Fact]
    public async Task ActiveToken_ByABackendServiceBearer_ReturnsTheSmartFields()
    {
        var app = await _smart.PublicAppAsync();
        var user = await _smart.PatientUserAsync();
        var token = await _smart.LaunchAsync(app, user, Scope);
        var idToken = new JsonWebToken(token.Get("id_token"));

        var (status, body) = await _smart.IntrospectAsync(token.AccessToken, new AuthenticationHeaderValue("Bearer", await server.AdminTokenAsync()));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.True(body.GetProperty("active").GetBoolean());
        Assert.Equal(token.Scopes, body.GetProperty("scope").GetString()!.Split(' ').ToHashSet());
        Assert.Equal(app.ClientId, body.GetProperty("client_id").GetString());
        Assert.InRange(DateTimeOffset.FromUnixTimeSeconds(body.GetProperty("exp").GetInt64()), DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddHours(1));
        Assert.Equal(user.PatientId, body.GetProperty("patient").GetString());
        Assert.Equal(idToken.Issuer, body.GetProperty("iss").GetString());
        Assert.Equal(idToken.Subject, body.GetProperty("sub").GetString());
        Assert.Equal(idToken.GetClaim("fhirUser").Value, body.GetProperty("fhirUser").GetString());
    }

    [Theory]
    [InlineData("invalid_token_value")]
    [InlineData("eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.")]
    public async Task UnknownToken_IsInactiveAndNothingElse(string token)
    {
        var (status, body) = await _smart.IntrospectAsync(token, new AuthenticationHeaderValue("Bearer", await server.AdminTokenAsync()));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.False(body.GetProperty("active").GetBoolean());
        Assert.Single(body.EnumerateObject());
    }

    [Fact]
    public async Task ExpiredToken_IsInactive()
    {
        var app = await _smart.ConfidentialAppAsync();
        var user = await _smart.PatientUserAsync();
        var token = await _smart.LaunchAsync(app, user, Scope);

        (HttpStatusCode Status, System.Text.Json.JsonElement Body) answer;
        server.Clock.Offset = TimeSpan.FromHours(1);
        try
        {
            answer = await _smart.IntrospectAsync(token.AccessToken, SmartHarness.Basic(app.ClientId, app.ClientSecret!));
        }
        finally
        {
            server.Clock.Offset = TimeSpan.Zero;
        }

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.False(answer.Body.GetProperty("active").GetBoolean());
    }

    [Fact]
    public async Task Caller_WithoutAuthentication_IsRefused()
    {
        var (status, body) = await _smart.IntrospectAsync("anything", null);

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal("invalid_client", body.GetProperty("error").GetString());
    }

    [Fact]
    public async Task ConfidentialApp_IntrospectsItsOwnToken_ButNotAnotherClients()
    {
        var app = await _smart.ConfidentialAppAsync();
        var other = await _smart.PublicAppAsync();
        var user = await _smart.PatientUserAsync();
        var own = await _smart.LaunchAsync(app, user, Scope);
        var foreign = await _smart.LaunchAsync(other, user, Scope);

        var (ownStatus, ownBody) = await _smart.IntrospectAsync(own.AccessToken, SmartHarness.Basic(app.ClientId, app.ClientSecret!));
        var (_, foreignBody) = await _smart.IntrospectAsync(foreign.AccessToken, SmartHarness.Basic(app.ClientId, app.ClientSecret!));

        Assert.Equal(HttpStatusCode.OK, ownStatus);
        Assert.True(ownBody.GetProperty("active").GetBoolean());
        Assert.Equal(own.Scopes, ownBody.GetProperty("scope").GetString()!.Split(' ').ToHashSet());
        Assert.False(foreignBody.GetProperty("active").GetBoolean());
    }

    [Fact]
    public async Task AppBearer_SeesOnlyItsOwnClientsTokens()
    {
        var app = await _smart.PublicAppAsync();
        var user = await _smart.PatientUserAsync();
        var first = await _smart.LaunchAsync(app, user, Scope);
        var second = await _smart.LaunchAsync(app, user, Scope);
        var admin = await server.AdminTokenAsync();

        var (_, sameClient) = await _smart.IntrospectAsync(second.AccessToken, new AuthenticationHeaderValue("Bearer", first.AccessToken));
        var (_, otherClient) = await _smart.IntrospectAsync(admin, new AuthenticationHeaderValue("Bearer", first.AccessToken));

        Assert.True(sameClient.GetProperty("active").GetBoolean());
        Assert.False(otherClient.GetProperty("active").GetBoolean());
    }

    [Fact]
    public async Task RevokedRefreshToken_NoLongerRefreshes_AndIsInactive()
    {
        var app = await _smart.PublicAppAsync();
        var user = await _smart.PatientUserAsync();
        var token = await _smart.LaunchAsync(app, user, Scope);
        var refreshToken = token.Get("refresh_token")!;
        using var http = server.Anonymous();

        using var revoked = await http.PostAsync(new Uri("/auth/revoke", UriKind.Relative), new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["token"] = refreshToken,
            ["token_type_hint"] = "refresh_token",
            ["client_id"] = app.ClientId,
        }));
        var refresh = await _smart.RefreshAsync(app, refreshToken);
        var (_, body) = await _smart.IntrospectAsync(refreshToken, new AuthenticationHeaderValue("Bearer", await server.AdminTokenAsync()));

        Assert.Equal(HttpStatusCode.OK, revoked.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, refresh.Status);
        Assert.False(body.GetProperty("active").GetBoolean());
    }
}
