using System.Net;
using System.Net.Http.Headers;
using Fhir.Phr.Server.Smart;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Fhir.Phr.Server.Tests.Smart;

/// <summary>
/// What an attacker or a broken app tries against the code flow: other redirect URIs, missing or
/// wrong PKCE, code reuse, expired codes, another client's code, foreign audiences.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class AuthorizationAbuseTests(FhirServerFixture server)
{
    private const string Scope = "launch/patient openid fhirUser offline_access patient/*.rs";
    private readonly SmartHarness _smart = new(server);

    [Fact]
    public async Task Authorize_WithUnregisteredRedirectUri_IsRefusedWithoutRedirecting()
    {
        var app = await _smart.PublicAppAsync();
        var (_, challenge) = SmartHarness.Pkce();
        var browser = _smart.NewBrowser();

        using var response = await browser.GetAsync(_smart.AuthorizeUrl(app, Scope, "s", challenge, redirect: "https://attacker.example.net/callback"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(response.Headers.Location);
    }

    [Fact]
    public async Task Authorize_WithRedirectUriThatOnlyStartsLikeTheRegisteredOne_IsRefused()
    {
        var app = await _smart.PublicAppAsync();
        var (_, challenge) = SmartHarness.Pkce();
        var browser = _smart.NewBrowser();

        using var response = await browser.GetAsync(_smart.AuthorizeUrl(app, Scope, "s", challenge, redirect: app.RedirectUri + "/../evil"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(response.Headers.Location);
    }

    [Theory]
    [InlineData(null, "S256")]
    [InlineData("plain-challenge-that-is-long-enough-to-be-a-verifier-0123456789", "plain")]
    [InlineData("plain-challenge-that-is-long-enough-to-be-a-verifier-0123456789", null)]
    public async Task Authorize_WithoutS256Pkce_IsRefusedBeforeSignIn(string? challenge, string? method)
    {
        var app = await _smart.PublicAppAsync();
        var browser = _smart.NewBrowser();
        var url = _smart.AuthorizeUrl(app, Scope, "pkce-state", challenge!, method: method!);

        using var response = await browser.GetAsync(url);

        // OpenIddict checks PKCE before the redirect URI, so the error is shown here (400), not sent to the app.
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(response.Headers.Location);
        Assert.Contains("code_challenge", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("https://other-server.example.org/fhir")]
    [InlineData("")]
    public async Task Authorize_ForAnotherAudience_IsRefused(string aud)
    {
        var app = await _smart.PublicAppAsync();
        var user = await _smart.PatientUserAsync();
        var (_, challenge) = SmartHarness.Pkce();
        var browser = _smart.NewBrowser();
        using var toLogin = await browser.GetAsync(_smart.AuthorizeUrl(app, Scope, "aud-state", challenge, aud: aud));

        using var response = toLogin.StatusCode == HttpStatusCode.Redirect && toLogin.Headers.Location!.OriginalString.StartsWith("/account/login", StringComparison.Ordinal)
            ? await browser.SignInAsync(toLogin.Headers.Location.OriginalString, user)
            : toLogin;

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("invalid_request", SmartHarness.QueryValue(response.Headers.Location!, "error"));
        Assert.Equal("aud-state", SmartHarness.QueryValue(response.Headers.Location!, "state"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("a-verifier-that-does-not-match-the-challenge-at-all-0123456789")]
    public async Task Token_WithMissingOrWrongCodeVerifier_IsRefused(string? verifier)
    {
        var app = await _smart.PublicAppAsync();
        var user = await _smart.PatientUserAsync();
        var (_, challenge) = SmartHarness.Pkce();
        var redirect = await _smart.AuthorizeAsync(app, user, Scope, "s", challenge);

        var token = await _smart.ExchangeAsync(app, SmartHarness.QueryValue(redirect, "code")!, verifier);

        Assert.Equal(HttpStatusCode.BadRequest, token.Status);
        Assert.Contains(token.Error, new[] { "invalid_request", "invalid_grant" });
    }

    [Fact]
    public async Task Code_UsedTwice_FailsAndRevokesWhatTheFirstUseIssued()
    {
        var app = await _smart.PublicAppAsync();
        var user = await _smart.PatientUserAsync();
        var (verifier, challenge) = SmartHarness.Pkce();
        var redirect = await _smart.AuthorizeAsync(app, user, Scope, "s", challenge);
        var code = SmartHarness.QueryValue(redirect, "code")!;
        var first = await _smart.ExchangeAsync(app, code, verifier);
        Assert.Equal(HttpStatusCode.OK, first.Status);

        var second = await _smart.ExchangeAsync(app, code, verifier);
        var refresh = await _smart.RefreshAsync(app, first.Get("refresh_token")!);
        var (_, introspection) = await _smart.IntrospectAsync(first.AccessToken, new AuthenticationHeaderValue("Bearer", await server.AdminTokenAsync()));

        Assert.Equal(HttpStatusCode.BadRequest, second.Status);
        Assert.Equal("invalid_grant", second.Error);
        Assert.Equal(HttpStatusCode.BadRequest, refresh.Status);
        Assert.False(introspection.GetProperty("active").GetBoolean());
    }

    [Fact]
    public async Task Code_RedeemedByAnotherClient_IsRefused()
    {
        var victim = await _smart.PublicAppAsync();
        var attacker = await _smart.PublicAppAsync();
        var user = await _smart.PatientUserAsync();
        var (verifier, challenge) = SmartHarness.Pkce();
        var redirect = await _smart.AuthorizeAsync(victim, user, Scope, "s", challenge);

        var stolen = await _smart.ExchangeAsync(attacker with { RedirectUri = victim.RedirectUri }, SmartHarness.QueryValue(redirect, "code")!, verifier);

        Assert.Equal(HttpStatusCode.BadRequest, stolen.Status);
        Assert.Equal("invalid_grant", stolen.Error);
    }

    [Fact]
    public async Task Code_AfterItExpired_IsRefused()
    {
        var app = await _smart.PublicAppAsync();
        var user = await _smart.PatientUserAsync();
        var (verifier, challenge) = SmartHarness.Pkce();
        var redirect = await _smart.AuthorizeAsync(app, user, Scope, "s", challenge);

        TokenAnswer token;
        server.Clock.Offset = TimeSpan.FromMinutes(3);
        try
        {
            token = await _smart.ExchangeAsync(app, SmartHarness.QueryValue(redirect, "code")!, verifier);
        }
        finally
        {
            server.Clock.Offset = TimeSpan.Zero;
        }

        Assert.Equal(HttpStatusCode.BadRequest, token.Status);
        Assert.Equal("invalid_grant", token.Error);
    }

    [Fact]
    public async Task AccessToken_ForAnotherAudience_IsRefusedByTheApi_WhileTheSameTokenForUsWorks()
    {
        var keys = SmartKeys.LoadOrCreate(Path.Combine(server.DataDirectory, "oauth-keys.json"));
        using var ours = _smart.WithToken(Forge(keys, SmartSetup.FhirAudience));
        using var theirs = _smart.WithToken(Forge(keys, "https://other-resource.example.org/fhir"));

        using var accepted = await ours.GetAsync(new Uri("/Patient?_count=1", UriKind.Relative));
        using var refused = await theirs.GetAsync(new Uri("/Patient?_count=1", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Contains("Bearer", refused.Headers.WwwAuthenticate.ToString());
    }

    /// <summary>An access token made with the server's own keys, differing only in its audience.</summary>
    private string Forge(SmartKeys keys, string audience) =>
        new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = _smart.BaseUrl + "/",
            Audience = audience,
            TokenType = "at+jwt",
            Claims = new Dictionary<string, object> { ["sub"] = "forged-backend", ["client_id"] = "forged-backend", ["scope"] = "system/*.rs" },
            IssuedAt = DateTime.UtcNow,
            NotBefore = DateTime.UtcNow,
            Expires = DateTime.UtcNow.AddMinutes(5),
            SigningCredentials = new SigningCredentials(keys.Signing, SecurityAlgorithms.RsaSha256),
            EncryptingCredentials = new EncryptingCredentials(keys.Encryption, SecurityAlgorithms.Aes256KW, SecurityAlgorithms.Aes256CbcHmacSha512),
        });
}
