using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Fhir.Phr.Server.Tests.Smart;

/// <summary>An account made through the admin API, with its own new Patient when it is a patient.</summary>
internal sealed record TestUser(string Id, string UserName, string Password, string? PatientId);

/// <summary>A registered client as the registration answer described it.</summary>
internal sealed record TestClient(string ClientId, string? ClientSecret, string RedirectUri);

/// <summary>What a token endpoint answered.</summary>
internal sealed record TokenAnswer(HttpStatusCode Status, JsonElement Body, HttpResponseHeaders Headers)
{
    public string AccessToken => Body.GetProperty("access_token").GetString()!;

    public string? Error => Body.TryGetProperty("error", out var error) ? error.GetString() : null;

    public string? Get(string name) => Body.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    public IReadOnlySet<string> Scopes => (Get("scope") ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet();
}

/// <summary>
/// Drives the real OAuth endpoints of the in-process server: clients and accounts through the
/// admin API, the browser side of an authorization (sign-in page, consent page, redirect) with
/// cookies, PKCE, token requests and signed client assertions. No step is bypassed.
/// </summary>
internal sealed partial class SmartHarness(FhirServerFixture server)
{
    public const string Password = "violet tractor under pale moon";
    public const string DefaultRedirect = "https://app.example.org/callback";

    public FhirServerFixture Server => server;

    public string BaseUrl => server.Factory.Server.BaseAddress.AbsoluteUri.TrimEnd('/');

    public string TokenUrl => BaseUrl + "/auth/token";

    /// <summary>A client with the administrator's admin-scope token.</summary>
    public async Task<HttpClient> AdminAsync()
    {
        var client = server.Anonymous();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await server.AdminTokenAsync("admin"));
        return client;
    }

    public async Task<JsonElement> RegisterClientAsync(object metadata)
    {
        using var admin = await AdminAsync();
        using var response = await admin.PostAsJsonAsync("/admin/clients", metadata);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"registering a client gave {(int)response.StatusCode}: {body}");
        return body;
    }

    /// <summary>A public app (PKCE, no secret) allowed the given scopes.</summary>
    public async Task<TestClient> PublicAppAsync(string scope = "patient/*.cruds user/*.cruds", string redirect = DefaultRedirect)
    {
        var body = await RegisterClientAsync(new { client_name = "Test public app", redirect_uris = new[] { redirect }, token_endpoint_auth_method = "none", grant_types = new[] { "authorization_code", "refresh_token" }, scope });
        return new TestClient(body.GetProperty("client_id").GetString()!, null, redirect);
    }

    /// <summary>A confidential app with a client secret (client_secret_basic).</summary>
    public async Task<TestClient> ConfidentialAppAsync(string scope = "patient/*.cruds user/*.cruds", string redirect = DefaultRedirect)
    {
        var body = await RegisterClientAsync(new { client_name = "Test confidential app", redirect_uris = new[] { redirect }, token_endpoint_auth_method = "client_secret_basic", grant_types = new[] { "authorization_code", "refresh_token" }, scope });
        return new TestClient(body.GetProperty("client_id").GetString()!, body.GetProperty("client_secret").GetString()!, redirect);
    }

    /// <summary>A patient account with a new Patient record (made by an administrator, so already confirmed).</summary>
    public async Task<TestUser> PatientUserAsync(string? password = null, params string[] roles)
    {
        var userName = TestData.Unique("pat");
        using var admin = await AdminAsync();
        using var response = await admin.PostAsJsonAsync("/admin/users", new
        {
            userName,
            email = userName + "@example.org",
            password = password ?? Password,
            roles,
            patient = new { given = "Test", family = TestData.Unique("Fam"), birthDate = "1970-01-02", gender = "female" },
        });
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"creating a user gave {(int)response.StatusCode}: {body}");
        var fhirUser = body.GetProperty("fhirUser").GetString()!;
        return new TestUser(body.GetProperty("id").GetString()!, userName, password ?? Password, fhirUser["Patient/".Length..]);
    }

    /// <summary>An account without a record of its own (e.g. a relative), with roles.</summary>
    public async Task<TestUser> UserAsync(params string[] roles)
    {
        var userName = TestData.Unique("usr");
        using var admin = await AdminAsync();
        using var response = await admin.PostAsJsonAsync("/admin/users", new { userName, email = userName + "@example.org", password = Password, roles });
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"creating a user gave {(int)response.StatusCode}: {body}");
        return new TestUser(body.GetProperty("id").GetString()!, userName, Password, null);
    }

    /// <summary>A browser: cookies kept, redirects not followed, so each hop can be checked.</summary>
    public Browser NewBrowser() => new(server.Factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true }));

    public static (string Verifier, string Challenge) Pkce()
    {
        var verifier = Guid.NewGuid() + "-" + Guid.NewGuid();
        return (verifier, WebEncoders.Base64UrlEncode(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))));
    }

    /// <summary>The authorize URL an app builds (app-launch.md), with PKCE S256 and aud = the FHIR base.</summary>
    public string AuthorizeUrl(TestClient client, string scope, string state, string? challenge, string? aud = null, string? launch = null, string? method = "S256", string? redirect = null)
    {
        var query = new Dictionary<string, string?>
        {
            ["response_type"] = "code",
            ["client_id"] = client.ClientId,
            ["redirect_uri"] = redirect ?? client.RedirectUri,
            ["scope"] = scope,
            ["state"] = state,
            ["aud"] = aud ?? BaseUrl,
            ["code_challenge"] = challenge,
            ["code_challenge_method"] = method,
        };
        if (launch is not null)
            query["launch"] = launch;
        return QueryHelpers.AddQueryString("/auth/authorize", query.Where(p => p.Value is not null).ToDictionary(p => p.Key, p => p.Value));
    }

    /// <summary>
    /// A whole authorization as a person does it: authorize, sign in, consent (optionally unticking
    /// scopes or choosing a patient), and back to the app. Returns the redirect the app receives.
    /// </summary>
    public async Task<Uri> AuthorizeAsync(TestClient client, TestUser user, string scope, string state, string challenge, Func<ConsentForm, ConsentForm>? consent = null, string? launch = null)
    {
        var browser = NewBrowser();
        var response = await browser.GetAsync(AuthorizeUrl(client, scope, state, challenge, launch: launch));
        if (response.StatusCode == HttpStatusCode.Redirect && response.Headers.Location!.OriginalString.StartsWith("/account/login", StringComparison.Ordinal))
            response = await browser.SignInAsync(response.Headers.Location.OriginalString, user);
        if (response.StatusCode == HttpStatusCode.Redirect)
            return response.Headers.Location!;
        var form = ConsentForm.Parse(await response.Content.ReadAsStringAsync());
        form = consent is null ? form : consent(form);
        var decided = await browser.PostFormAsync(form.Action, form.Fields);
        Assert.True(decided.StatusCode == HttpStatusCode.Redirect, $"consent gave {(int)decided.StatusCode}: {await decided.Content.ReadAsStringAsync()}");
        return decided.Headers.Location!;
    }

    public static string? QueryValue(Uri redirect, string name) =>
        QueryHelpers.ParseQuery(redirect.Query).TryGetValue(name, out var value) ? value.ToString() : null;

    /// <summary>A full standalone launch ending in the token response.</summary>
    public async Task<TokenAnswer> LaunchAsync(TestClient client, TestUser user, string scope, Func<ConsentForm, ConsentForm>? consent = null, string? launch = null)
    {
        var (verifier, challenge) = Pkce();
        var state = TestData.Unique("state");
        var redirect = await AuthorizeAsync(client, user, scope, state, challenge, consent, launch);
        Assert.Equal(state, QueryValue(redirect, "state"));
        var code = QueryValue(redirect, "code") ?? throw new InvalidOperationException($"No code in {redirect}");
        return await ExchangeAsync(client, code, verifier);
    }

    public Task<TokenAnswer> ExchangeAsync(TestClient client, string code, string? verifier, string? redirect = null) =>
        TokenAsync(client, new Dictionary<string, string?>
        {
            ["grant_type"] = "authorization_code",
            ["code"] = code,
            ["redirect_uri"] = redirect ?? client.RedirectUri,
            ["code_verifier"] = verifier,
        });

    public Task<TokenAnswer> RefreshAsync(TestClient client, string refreshToken, string? scope = null) =>
        TokenAsync(client, new Dictionary<string, string?> { ["grant_type"] = "refresh_token", ["refresh_token"] = refreshToken, ["scope"] = scope });

    /// <summary>A token request authenticated as the client: client_id for public clients, HTTP Basic for secrets.</summary>
    public async Task<TokenAnswer> TokenAsync(TestClient? client, Dictionary<string, string?> form, AuthenticationHeaderValue? authorization = null)
    {
        using var http = server.Anonymous();
        var fields = form.Where(p => p.Value is not null).ToDictionary(p => p.Key, p => p.Value!);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/auth/token");
        if (client?.ClientSecret is { } secret)
            request.Headers.Authorization = Basic(client.ClientId, secret);
        else if (client is not null)
            fields["client_id"] = client.ClientId;
        if (authorization is not null)
            request.Headers.Authorization = authorization;
        request.Content = new FormUrlEncodedContent(fields);
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return new TokenAnswer(response.StatusCode, JsonDocument.Parse(text.Length == 0 ? "{}" : text).RootElement.Clone(), response.Headers);
    }

    public static AuthenticationHeaderValue Basic(string clientId, string secret) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(Uri.EscapeDataString(clientId) + ":" + Uri.EscapeDataString(secret))));

    public HttpClient WithToken(string accessToken)
    {
        var client = server.Anonymous();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        client.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/fhir+json"));
        return client;
    }

    /// <summary>POSTs a form to introspection, authenticated by the given header.</summary>
    public async Task<(HttpStatusCode Status, JsonElement Body)> IntrospectAsync(string token, AuthenticationHeaderValue? authorization)
    {
        using var http = server.Anonymous();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/auth/introspect") { Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = token }) };
        request.Headers.Authorization = authorization;
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, JsonDocument.Parse(text.Length == 0 ? "{}" : text).RootElement.Clone());
    }

    /// <summary>A backend service's key pair and its public JWK (RS384 or ES384 as SMART requires).</summary>
    public static (SecurityKey Private, JsonObject PublicJwk, string Algorithm) NewKey(string algorithm)
    {
        var kid = TestData.Unique("kid");
        if (algorithm == SecurityAlgorithms.RsaSha384)
        {
            var rsa = RSA.Create(2048);
            var parameters = rsa.ExportParameters(false);
            return (new RsaSecurityKey(rsa) { KeyId = kid }, new JsonObject
            {
                ["kty"] = "RSA", ["kid"] = kid, ["alg"] = "RS384", ["use"] = "sig",
                ["n"] = WebEncoders.Base64UrlEncode(parameters.Modulus!), ["e"] = WebEncoders.Base64UrlEncode(parameters.Exponent!),
            }, algorithm);
        }
        var ec = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var point = ec.ExportParameters(false).Q;
        return (new ECDsaSecurityKey(ec) { KeyId = kid }, new JsonObject
        {
            ["kty"] = "EC", ["kid"] = kid, ["alg"] = "ES384", ["use"] = "sig", ["crv"] = "P-384",
            ["x"] = WebEncoders.Base64UrlEncode(point.X!), ["y"] = WebEncoders.Base64UrlEncode(point.Y!),
        }, algorithm);
    }

    /// <summary>A client assertion as backend-services.md describes it; the arguments break one rule at a time.</summary>
    public static string Assertion(string clientId, SecurityKey key, string algorithm, string audience, TimeSpan? lifetime = null, string? jti = null, string? subject = null, DateTime? issuedAt = null, string type = "JWT", IDictionary<string, object>? header = null)
    {
        var now = issuedAt ?? DateTime.UtcNow;
        var handler = new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false };
        return handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = clientId,
            Audience = audience,
            Claims = new Dictionary<string, object> { ["sub"] = subject ?? clientId, ["jti"] = jti ?? Guid.NewGuid().ToString("N") },
            Expires = now + (lifetime ?? TimeSpan.FromMinutes(4)),
            IssuedAt = now,
            SigningCredentials = new SigningCredentials(key, algorithm),
            TokenType = type,
            AdditionalHeaderClaims = header,
        });
    }

    public static Dictionary<string, string?> ClientCredentials(string assertion, string scope = "system/*.rs") => new()
    {
        ["grant_type"] = "client_credentials",
        ["scope"] = scope,
        ["client_assertion_type"] = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        ["client_assertion"] = assertion,
    };

    /// <summary>The consent page's form: where it posts, and its fields (hidden ones and the user's choices).</summary>
    internal sealed partial record ConsentForm(string Action, List<KeyValuePair<string, string>> Fields, IReadOnlyList<string> ScopeChoices, IReadOnlyList<string> PatientChoices)
    {
        public static ConsentForm Parse(string html)
        {
            var action = WebUtility.HtmlDecode(FormAction().Match(html).Groups[1].Value);
            Assert.False(string.IsNullOrEmpty(action), "no consent form in: " + html[..Math.Min(html.Length, 2000)]);
            List<KeyValuePair<string, string>> fields = [];
            foreach (Match hidden in HiddenInput().Matches(html))
                fields.Add(new(WebUtility.HtmlDecode(hidden.Groups[1].Value), WebUtility.HtmlDecode(hidden.Groups[2].Value)));
            var scopes = Checkbox().Matches(html).Select(m => WebUtility.HtmlDecode(m.Groups[1].Value)).ToList();
            var patients = Radio().Matches(html).Select(m => WebUtility.HtmlDecode(m.Groups[1].Value)).ToList();
            // What the browser sends by default: every box ticked, the first patient, "Allow".
            fields.AddRange(scopes.Select(s => new KeyValuePair<string, string>("granted_scope", s)));
            if (patients.Count > 0)
                fields.Add(new("selected_patient", patients[0]));
            fields.Add(new("decision", "allow"));
            return new ConsentForm(action, fields, scopes, patients);
        }

        public ConsentForm Untick(string scope) => this with { Fields = [.. Fields.Where(f => !(f.Key == "granted_scope" && f.Value == scope))] };

        public ConsentForm Choose(string patientId) => this with { Fields = [.. Fields.Where(f => f.Key != "selected_patient"), new("selected_patient", patientId)] };

        public ConsentForm Set(string field, string value) => this with { Fields = [.. Fields.Where(f => f.Key != field), new(field, value)] };

        [GeneratedRegex("<form method=\"post\" action=\"([^\"]*)\"")]
        private static partial Regex FormAction();

        [GeneratedRegex("<input type=\"hidden\" name=\"([^\"]*)\" value=\"([^\"]*)\"")]
        private static partial Regex HiddenInput();

        [GeneratedRegex("<input type=\"checkbox\"[^>]*name=\"granted_scope\" value=\"([^\"]*)\"")]
        private static partial Regex Checkbox();

        [GeneratedRegex("<input type=\"radio\"[^>]*name=\"selected_patient\" value=\"([^\"]*)\"")]
        private static partial Regex Radio();
    }

    /// <summary>The browser side: keeps cookies, reads forms, posts them with their antiforgery token.</summary>
    internal sealed partial class Browser(HttpClient client)
    {
        public HttpClient Client { get; } = client;

        public Task<HttpResponseMessage> GetAsync(string url) => Client.GetAsync(new Uri(url, UriKind.RelativeOrAbsolute));

        public async Task<HttpResponseMessage> PostFormAsync(string url, IEnumerable<KeyValuePair<string, string>> fields) =>
            await Client.PostAsync(new Uri(url, UriKind.RelativeOrAbsolute), new FormUrlEncodedContent(fields));

        /// <summary>Fills the sign-in page at <paramref name="loginUrl"/> and follows the redirect back (to the authorize endpoint).</summary>
        public async Task<HttpResponseMessage> SignInAsync(string loginUrl, TestUser user)
        {
            var posted = await SubmitLoginAsync(loginUrl, user.UserName, user.Password);
            Assert.True(posted.StatusCode == HttpStatusCode.Redirect, $"sign-in gave {(int)posted.StatusCode}: {await posted.Content.ReadAsStringAsync()}");
            return await GetAsync(posted.Headers.Location!.OriginalString);
        }

        public async Task<HttpResponseMessage> SubmitLoginAsync(string loginUrl, string userName, string password)
        {
            var page = await (await GetAsync(loginUrl)).Content.ReadAsStringAsync();
            var fields = HiddenFields(page);
            fields["userName"] = userName;
            fields["password"] = password;
            return await PostFormAsync("/account/login", fields);
        }

        public static Dictionary<string, string> HiddenFields(string html) =>
            HiddenInput().Matches(html).ToDictionary(m => WebUtility.HtmlDecode(m.Groups[1].Value), m => WebUtility.HtmlDecode(m.Groups[2].Value));

        [GeneratedRegex("<input type=\"hidden\" name=\"([^\"]*)\" value=\"([^\"]*)\"")]
        private static partial Regex HiddenInput();
    }
}
