using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Fhir.Phr.Server.Tests.Smart;

/// <summary>
/// SMART App Launch 2.2 standalone launches with real tokens, for a public app with PKCE and a
/// confidential app with a secret: the token response, the id_token, refresh, and the data the
/// token opens. Checks follow app-launch.md and Inferno's standalone, OpenID Connect and refresh groups.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class StandaloneLaunchTests(FhirServerFixture server)
{
    private const string InfernoScope = "launch/patient openid fhirUser offline_access patient/*.rs";
    private readonly SmartHarness _smart = new(server);

    [Fact]
    public async Task PublicApp_StandaloneLaunch_GetsSmartTokenResponse()
    {
        var app = await _smart.PublicAppAsync();
        var user = await _smart.PatientUserAsync();

        var token = await _smart.LaunchAsync(app, user, InfernoScope);

        Assert.Equal(HttpStatusCode.OK, token.Status);
        Assert.Equal("bearer", token.Get("token_type")!.ToLowerInvariant());
        Assert.Equal(JsonValueKind.Number, token.Body.GetProperty("expires_in").ValueKind);
        Assert.InRange(token.Body.GetProperty("expires_in").GetInt32(), 60, 3600);
        Assert.Equal(InfernoScope.Split(' ').ToHashSet(), token.Scopes);
        Assert.Equal(user.PatientId, token.Get("patient"));
        Assert.True(token.Body.GetProperty("need_patient_banner").GetBoolean());
        Assert.False(string.IsNullOrEmpty(token.Get("refresh_token")));
        Assert.False(string.IsNullOrEmpty(token.Get("id_token")));
        Assert.Contains("no-store", token.Headers.CacheControl!.ToString());
        Assert.Contains("no-cache", token.Headers.Pragma.ToString());
    }

    [Fact]
    public async Task PublicApp_Token_ReadsOwnPatientButNotAnother()
    {
        var app = await _smart.PublicAppAsync();
        var user = await _smart.PatientUserAsync();
        var other = await _smart.PatientUserAsync();
        var token = await _smart.LaunchAsync(app, user, InfernoScope);
        using var client = _smart.WithToken(token.AccessToken);

        using var own = await client.GetAsync(new Uri($"/Patient/{user.PatientId}", UriKind.Relative));
        using var foreign = await client.GetAsync(new Uri($"/Patient/{other.PatientId}", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        Assert.Contains(foreign.StatusCode, new[] { HttpStatusCode.NotFound, HttpStatusCode.Forbidden });
    }

    [Fact]
    public async Task IdToken_IsRs256WithIssSubAudExpIatAndFhirUser()
    {
        var app = await _smart.PublicAppAsync();
        var user = await _smart.PatientUserAsync();
        var token = await _smart.LaunchAsync(app, user, InfernoScope);
        using var anonymous = server.Anonymous();
        var jwks = new JsonWebKeySet(await anonymous.GetStringAsync(new Uri("/.well-known/jwks", UriKind.Relative)));

        var validation = await new JsonWebTokenHandler().ValidateTokenAsync(token.Get("id_token"), new TokenValidationParameters
        {
            ValidIssuer = _smart.BaseUrl + "/",
            ValidAudience = app.ClientId,
            IssuerSigningKeys = jwks.GetSigningKeys(),
        });

        Assert.True(validation.IsValid, validation.Exception?.Message);
        var idToken = (JsonWebToken)validation.SecurityToken;
        Assert.Equal("RS256", idToken.Alg);
        Assert.Equal(user.Id, idToken.Subject);
        Assert.True(idToken.TryGetPayloadValue<long>("iat", out _));
        Assert.True(idToken.TryGetPayloadValue<long>("exp", out _));
        var fhirUser = idToken.GetClaim("fhirUser").Value;
        Assert.Equal($"{_smart.BaseUrl}/Patient/{user.PatientId}", fhirUser);
        using var client = _smart.WithToken(token.AccessToken);
        using var read = await client.GetAsync(new Uri(fhirUser));
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal("Patient", (await read.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("resourceType").GetString());
    }

    [Fact]
    public async Task ConfidentialApp_WithSecret_ExchangesCode_AndWithoutSecretIsRefused()
    {
        var app = await _smart.ConfidentialAppAsync();
        var user = await _smart.PatientUserAsync();
        var (verifier, challenge) = SmartHarness.Pkce();
        var first = await _smart.AuthorizeAsync(app, user, InfernoScope, "s1", challenge);
        var (verifier2, challenge2) = SmartHarness.Pkce();
        var second = await _smart.AuthorizeAsync(app, user, InfernoScope, "s2", challenge2);

        var withoutSecret = await _smart.ExchangeAsync(app with { ClientSecret = null }, SmartHarness.QueryValue(second, "code")!, verifier2);
        var withSecret = await _smart.ExchangeAsync(app, SmartHarness.QueryValue(first, "code")!, verifier);

        Assert.Equal(HttpStatusCode.Unauthorized, withoutSecret.Status);
        Assert.Equal("invalid_client", withoutSecret.Error);
        Assert.Equal(HttpStatusCode.OK, withSecret.Status);
        Assert.Equal(user.PatientId, withSecret.Get("patient"));
    }

    [Fact]
    public async Task Refresh_WithoutScope_KeepsTheGrantAndNeverWidens()
    {
        var app = await _smart.PublicAppAsync();
        var user = await _smart.PatientUserAsync();
        var token = await _smart.LaunchAsync(app, user, InfernoScope);

        var refreshed = await _smart.RefreshAsync(app, token.Get("refresh_token")!);

        Assert.Equal(HttpStatusCode.OK, refreshed.Status);
        Assert.Subset(token.Scopes.ToHashSet(), refreshed.Scopes.ToHashSet());
        Assert.NotEmpty(refreshed.Scopes);
        Assert.Equal("bearer", refreshed.Get("token_type")!.ToLowerInvariant());
        Assert.Equal(JsonValueKind.Number, refreshed.Body.GetProperty("expires_in").ValueKind);
        Assert.Contains("no-store", refreshed.Headers.CacheControl!.ToString());
        Assert.Contains("no-cache", refreshed.Headers.Pragma.ToString());
    }

    [Fact]
    public async Task Refresh_WithNarrowerScope_Narrows_AndWithWiderScopeIsRefused()
    {
        var app = await _smart.PublicAppAsync();
        var user = await _smart.PatientUserAsync();
        var token = await _smart.LaunchAsync(app, user, "launch/patient offline_access patient/Patient.rs patient/DocumentReference.rs");

        var narrower = await _smart.RefreshAsync(app, token.Get("refresh_token")!, "offline_access patient/Patient.rs");
        var wider = await _smart.RefreshAsync(app, narrower.Get("refresh_token")!, "offline_access patient/Patient.rs patient/*.cruds");

        Assert.Equal(HttpStatusCode.OK, narrower.Status);
        Assert.Equal(new HashSet<string> { "offline_access", "patient/Patient.rs" }, narrower.Scopes);
        using var client = _smart.WithToken(narrower.AccessToken);
        using var documents = await client.GetAsync(new Uri($"/DocumentReference?patient={user.PatientId}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Forbidden, documents.StatusCode);
        // RFC 6749 §6 says invalid_scope; OpenIddict answers invalid_grant. Either way: refused.
        Assert.Equal(HttpStatusCode.BadRequest, wider.Status);
        Assert.Contains(wider.Error, new[] { "invalid_scope", "invalid_grant" });
    }

    [Fact]
    public async Task OnlineAccess_GetsARefreshToken_AndWithoutEitherThereIsNone()
    {
        var app = await _smart.PublicAppAsync();
        var user = await _smart.PatientUserAsync();

        var online = await _smart.LaunchAsync(app, user, "launch/patient online_access patient/*.rs");
        var none = await _smart.LaunchAsync(app, user, "launch/patient patient/*.rs");

        Assert.False(string.IsNullOrEmpty(online.Get("refresh_token")));
        Assert.Equal(HttpStatusCode.OK, (await _smart.RefreshAsync(app, online.Get("refresh_token")!)).Status);
        Assert.Null(none.Get("refresh_token"));
    }

    [Fact]
    public async Task Consent_UntickedScope_IsNotGranted()
    {
        var app = await _smart.PublicAppAsync();
        var user = await _smart.PatientUserAsync();

        var token = await _smart.LaunchAsync(app, user, "launch/patient patient/Patient.rs patient/DocumentReference.rs",
            consent: form =>
            {
                Assert.Contains("patient/DocumentReference.rs", form.ScopeChoices);
                Assert.DoesNotContain("launch/patient", form.ScopeChoices);
                return form.Untick("patient/DocumentReference.rs");
            });

        Assert.Equal(new HashSet<string> { "launch/patient", "patient/Patient.rs" }, token.Scopes);
    }

    [Fact]
    public async Task Consent_Denied_RedirectsWithAccessDeniedAndState()
    {
        var app = await _smart.PublicAppAsync();
        var user = await _smart.PatientUserAsync();
        var (_, challenge) = SmartHarness.Pkce();

        var redirect = await _smart.AuthorizeAsync(app, user, InfernoScope, "deny-state", challenge, form => form.Set("decision", "deny"));

        Assert.StartsWith(app.RedirectUri, redirect.AbsoluteUri);
        Assert.Equal("access_denied", SmartHarness.QueryValue(redirect, "error"));
        Assert.Equal("deny-state", SmartHarness.QueryValue(redirect, "state"));
        Assert.Null(SmartHarness.QueryValue(redirect, "code"));
    }

    [Fact]
    public async Task Authorize_ByPost_WorksLikeGet()
    {
        var app = await _smart.PublicAppAsync();
        var user = await _smart.PatientUserAsync();
        var (verifier, challenge) = SmartHarness.Pkce();
        var browser = _smart.NewBrowser();
        var url = new Uri(new Uri("http://localhost"), _smart.AuthorizeUrl(app, InfernoScope, "post-state", challenge));
        var parameters = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(url.Query).Select(p => new KeyValuePair<string, string>(p.Key, p.Value.ToString()));

        using var toLogin = await browser.PostFormAsync("/auth/authorize", parameters);
        Assert.Equal(HttpStatusCode.Redirect, toLogin.StatusCode);
        using var consentPage = await browser.SignInAsync(toLogin.Headers.Location!.OriginalString, user);
        var form = SmartHarness.ConsentForm.Parse(await consentPage.Content.ReadAsStringAsync());
        using var decided = await browser.PostFormAsync(form.Action, form.Fields);
        var token = await _smart.ExchangeAsync(app, SmartHarness.QueryValue(decided.Headers.Location!, "code")!, verifier);

        Assert.Equal("post-state", SmartHarness.QueryValue(decided.Headers.Location!, "state"));
        Assert.Equal(HttpStatusCode.OK, token.Status);
    }

    [Fact]
    public async Task Consent_PostedWithoutAntiforgeryToken_IsRefused()
    {
        var app = await _smart.PublicAppAsync();
        var user = await _smart.PatientUserAsync();
        var (_, challenge) = SmartHarness.Pkce();
        var browser = _smart.NewBrowser();
        using var toLogin = await browser.GetAsync(_smart.AuthorizeUrl(app, InfernoScope, "csrf", challenge));
        using var consentPage = await browser.SignInAsync(toLogin.Headers.Location!.OriginalString, user);
        var form = SmartHarness.ConsentForm.Parse(await consentPage.Content.ReadAsStringAsync());

        using var forged = await browser.PostFormAsync(form.Action, form.Fields.Where(f => f.Key != "__RequestVerificationToken"));

        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Null(forged.Headers.Location);
    }
}
