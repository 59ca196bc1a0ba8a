using System.Net;
using System.Net.Http.Json;
using Hl7.Fhir.Serialization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Fhir.Phr.Server.Tests.Smart;

/// <summary>
/// Accounts: registration (web form and JSON API) with the Patient it creates, emailed
/// confirmation and reset links, the password policy, lockout, and answers that do not tell
/// whether an account exists.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed partial class AccountTests(FhirServerFixture server)
{
    private readonly SmartHarness _smart = new(server);

    /// <summary>The mails written to &lt;data&gt;/mail for one address, oldest first.</summary>
    private List<string> MailsTo(string email)
    {
        var folder = Path.Combine(server.DataDirectory, "mail");
        if (!Directory.Exists(folder))
            return [];
        return Directory.EnumerateFiles(folder, "*.eml").Order(StringComparer.Ordinal)
            .Select(File.ReadAllText)
            .Where(text => text.Contains("\r\nTo: " + email + "\r\n", StringComparison.Ordinal))
            .ToList();
    }

    private static string Link(string mail, string path) => LinkPattern().Matches(mail).Select(m => m.Value).First(url => url.Contains(path, StringComparison.Ordinal));

    private static object Registration(string userName, string? password = null, object? patient = null) => new
    {
        userName,
        email = userName + "@example.org",
        password = password ?? SmartHarness.Password,
        patient = patient ?? new { given = "Ada", family = TestData.Unique("Fam"), birthDate = "1985-12-10", gender = "female" },
    };

    private async Task<(HttpStatusCode Status, JsonElement Body)> PostAsync(string path, object body)
    {
        using var client = server.Anonymous();
        using var response = await client.PostAsJsonAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, JsonDocument.Parse(text.Length == 0 ? "{}" : text).RootElement.Clone());
    }

    [Fact]
    public async Task ApiRegistration_CreatesThePatient_AndSignInWorksAfterConfirmation()
    {
        var userName = TestData.Unique("reg");
        var app = await _smart.PublicAppAsync();

        var (status, _) = await PostAsync("/api/account/register", Registration(userName));
        var mail = Assert.Single(MailsTo(userName + "@example.org"));
        var browser = _smart.NewBrowser();
        using var beforeConfirming = await browser.SubmitLoginAsync("/account/login", userName, SmartHarness.Password);
        using var confirmed = await browser.GetAsync(Link(mail, "/account/confirm-email"));
        var token = await _smart.LaunchAsync(app, new TestUser("", userName, SmartHarness.Password, null), "launch/patient openid fhirUser patient/*.rs");

        Assert.Equal(HttpStatusCode.Accepted, status);
        Assert.Equal(HttpStatusCode.BadRequest, beforeConfirming.StatusCode);
        Assert.Contains("Confirm your email address first", await beforeConfirming.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Redirect, confirmed.StatusCode);
        Assert.Equal(HttpStatusCode.OK, token.Status);
        using var client = _smart.WithToken(token.AccessToken);
        var patient = await client.GetFromJsonAsync<JsonElement>($"/Patient/{token.Get("patient")}");
        Assert.Equal("Ada", patient.GetProperty("name")[0].GetProperty("given")[0].GetString());
        Assert.Equal("1985-12-10", patient.GetProperty("birthDate").GetString());
    }

    [Fact]
    public async Task WebRegistration_ReturnsToTheAuthorizationAfterConfirmingAndSigningIn()
    {
        var app = await _smart.PublicAppAsync();
        var (_, challenge) = SmartHarness.Pkce();
        var userName = TestData.Unique("web");
        var browser = _smart.NewBrowser();
        using var toLogin = await browser.GetAsync(_smart.AuthorizeUrl(app, "launch/patient patient/*.rs", "web-state", challenge));
        var loginPage = await (await browser.GetAsync(toLogin.Headers.Location!.OriginalString)).Content.ReadAsStringAsync();
        var registerUrl = WebUtility.HtmlDecode(RegisterLink().Match(loginPage).Groups[1].Value);
        var registerPage = await (await browser.GetAsync(registerUrl)).Content.ReadAsStringAsync();
        var fields = SmartHarness.Browser.HiddenFields(registerPage);
        fields["userName"] = userName;
        fields["email"] = userName + "@example.org";
        fields["password"] = SmartHarness.Password;
        fields["kind"] = "patient";
        fields["given"] = "Grace";
        fields["family"] = TestData.Unique("Fam");
        fields["birthDate"] = "1990-07-01";
        fields["gender"] = "other";

        using var registered = await browser.PostFormAsync("/account/register", fields);
        using var confirmed = await browser.GetAsync(Link(Assert.Single(MailsTo(userName + "@example.org")), "/account/confirm-email"));
        var login = confirmed.Headers.Location!.OriginalString;
        using var backToAuthorize = await browser.SubmitLoginAsync(login, userName, SmartHarness.Password);

        Assert.Equal(HttpStatusCode.OK, registered.StatusCode);
        Assert.Contains("Check your email", await registered.Content.ReadAsStringAsync());
        Assert.StartsWith("/auth/authorize?", backToAuthorize.Headers.Location!.OriginalString);
        using var consent = await browser.GetAsync(backToAuthorize.Headers.Location.OriginalString);
        Assert.Contains("Allow this app?", await consent.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Registration_WithATakenNameOrAddress_AnswersTheSame_AndTellsTheOwnerByMail()
    {
        var userName = TestData.Unique("dup");
        var first = await PostAsync("/api/account/register", Registration(userName));

        var sameName = await PostAsync("/api/account/register", new { userName, email = TestData.Unique("other") + "@example.org", password = SmartHarness.Password });
        var sameAddress = await PostAsync("/api/account/register", new { userName = TestData.Unique("new"), email = userName + "@example.org", password = SmartHarness.Password });

        Assert.Equal(HttpStatusCode.Accepted, first.Status);
        Assert.Equal((first.Status, first.Body.ToString()), (sameName.Status, sameName.Body.ToString()));
        Assert.Equal((first.Status, first.Body.ToString()), (sameAddress.Status, sameAddress.Body.ToString()));
        Assert.Contains(MailsTo(userName + "@example.org"), mail => mail.Contains("already has an account", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("short pass")]
    [InlineData("passwordpassword")]
    [InlineData("password12345!")]
    [InlineData("aaaaaaaaaaaaaaaa")]
    [InlineData("qwertyuiopasdfgh")]
    public async Task Registration_WithAWeakPassword_IsRefusedWithAReason(string password)
    {
        var (status, body) = await PostAsync("/api/account/register", Registration(TestData.Unique("weak"), password));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.NotEmpty(body.GetProperty("errors").EnumerateArray());
    }

    [Fact]
    public async Task Registration_WithAPassphrase_IsAccepted()
    {
        var (status, _) = await PostAsync("/api/account/register", Registration(TestData.Unique("pp"), "correct horse battery staple"));

        Assert.Equal(HttpStatusCode.Accepted, status);
    }

    [Fact]
    public async Task Registration_WithBadPatientDetails_SaysWhatIsWrong()
    {
        var (status, body) = await PostAsync("/api/account/register", Registration(TestData.Unique("bad"), patient: new { given = "", family = "X", birthDate = "31/12/1990", gender = "robot" }));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        var errors = body.GetProperty("errors").EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.Contains(errors, e => e!.Contains("names", StringComparison.Ordinal));
        Assert.Contains(errors, e => e!.Contains("birth date", StringComparison.Ordinal));
        Assert.Contains(errors, e => e!.Contains("gender", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Registration_WithABodyThatIsNotJson_IsA400ProblemSayingSo()
    {
        using var client = server.Anonymous();

        using var response = await client.PostAsync(new Uri("/api/account/register", UriKind.Relative), new StringContent("{not json", System.Text.Encoding.UTF8, "application/json"));
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("JSON", body.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SignIn_UnknownUserAndWrongPassword_ReadTheSame()
    {
        var user = await _smart.PatientUserAsync();
        var browser = _smart.NewBrowser();

        using var unknown = await browser.SubmitLoginAsync("/account/login", TestData.Unique("nobody"), SmartHarness.Password);
        using var wrong = await browser.SubmitLoginAsync("/account/login", user.UserName, "not the password at all");

        Assert.Equal(unknown.StatusCode, wrong.StatusCode);
        Assert.Equal(Scrub(await unknown.Content.ReadAsStringAsync()), Scrub(await wrong.Content.ReadAsStringAsync()));
    }

    [Fact]
    public async Task SignIn_AfterFiveFailures_IsLockedEvenWithTheRightPassword()
    {
        var user = await _smart.PatientUserAsync();
        var browser = _smart.NewBrowser();
        for (var i = 0; i < 5; i++)
            (await browser.SubmitLoginAsync("/account/login", user.UserName, "wrong password " + i)).Dispose();

        using var locked = await browser.SubmitLoginAsync("/account/login", user.UserName, user.Password);

        Assert.Equal(HttpStatusCode.BadRequest, locked.StatusCode);
        Assert.Contains("locked for a while", await locked.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task PasswordReset_ByMailedLink_SetsANewPassword_AndUnknownAddressesAnswerTheSame()
    {
        var user = await _smart.PatientUserAsync();
        var email = user.UserName + "@example.org";

        var known = await PostAsync("/api/account/forgot-password", new { email });
        var unknown = await PostAsync("/api/account/forgot-password", new { email = TestData.Unique("ghost") + "@example.org" });
        var link = new Uri(Link(MailsTo(email).Last(), "/account/reset-password"));
        var query = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(link.Query);
        var reset = await PostAsync("/api/account/reset-password", new { email, code = query["code"].ToString(), password = "new lantern over quiet harbour" });
        var reused = await PostAsync("/api/account/reset-password", new { email, code = query["code"].ToString(), password = "another lantern over the harbour" });
        var browser = _smart.NewBrowser();
        using var signIn = await browser.SubmitLoginAsync("/account/login", user.UserName, "new lantern over quiet harbour");

        Assert.Equal((known.Status, known.Body.ToString()), (unknown.Status, unknown.Body.ToString()));
        Assert.Equal(HttpStatusCode.OK, reset.Status);
        Assert.Equal(HttpStatusCode.BadRequest, reused.Status);
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
    }

    [Fact]
    public async Task ChangePassword_ByApi_NeedsTheCurrentOne()
    {
        var user = await _smart.PatientUserAsync();

        var wrong = await PostAsync("/api/account/change-password", new { userName = user.UserName, currentPassword = "not it at all, sorry", newPassword = "copper kettle singing softly" });
        var right = await PostAsync("/api/account/change-password", new { userName = user.UserName, currentPassword = user.Password, newPassword = "copper kettle singing softly" });
        var browser = _smart.NewBrowser();
        using var signIn = await browser.SubmitLoginAsync("/account/login", user.UserName, "copper kettle singing softly");

        Assert.Equal(HttpStatusCode.BadRequest, wrong.Status);
        Assert.Equal(HttpStatusCode.OK, right.Status);
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
    }

    [Theory]
    [InlineData("https://attacker.example.net/")]
    [InlineData("//attacker.example.net/")]
    [InlineData("/\\attacker.example.net/")]
    public async Task SignIn_WithAForeignReturnUrl_StaysOnThisSite(string returnUrl)
    {
        var user = await _smart.PatientUserAsync();
        var browser = _smart.NewBrowser();

        using var response = await browser.SubmitLoginAsync("/account/login?returnUrl=" + Uri.EscapeDataString(returnUrl), user.UserName, user.Password);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/account", response.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task LoginForm_PostedWithoutAntiforgeryToken_IsRefused()
    {
        var user = await _smart.PatientUserAsync();
        var browser = _smart.NewBrowser();

        using var response = await browser.PostFormAsync("/account/login", new Dictionary<string, string> { ["userName"] = user.UserName, ["password"] = user.Password });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.DoesNotContain(response.Headers, h => h.Key == "Set-Cookie" && h.Value.Any(v => v.StartsWith("phr.session", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task AdminApi_LinksAnAccountToAnExistingPatient_ButNotToOneAlreadyLinked()
    {
        var owner = await _smart.PatientUserAsync();
        var relative = await _smart.UserAsync("relative");
        using var admin = await _smart.AdminAsync();
        using var created = await server.Http().PostAsync(new Uri("/Patient", UriKind.Relative),
            new StringContent(new FhirJsonSerializer().SerializeToString(TestData.Patient()), System.Text.Encoding.UTF8, "application/fhir+json"));
        var unlinked = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();

        using var taken = await admin.PutAsJsonAsync($"/admin/users/{relative.Id}/fhir-user", new { fhirUser = "Patient/" + owner.PatientId });
        using var linked = await admin.PutAsJsonAsync($"/admin/users/{relative.Id}/fhir-user", new { fhirUser = "Patient/" + unlinked });
        using var missing = await admin.PutAsJsonAsync($"/admin/users/{relative.Id}/fhir-user", new { fhirUser = "Patient/does-not-exist" });

        Assert.Equal(HttpStatusCode.Conflict, taken.StatusCode);
        Assert.Equal(HttpStatusCode.OK, linked.StatusCode);
        Assert.Equal("Patient/" + unlinked, (await linked.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("fhirUser").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
    }

    [Fact]
    public async Task JobDashboard_IsForSignedInAdministratorsOnly()
    {
        var administrator = await _smart.UserAsync("administrator");
        var physician = await _smart.UserAsync("physician");
        var admins = _smart.NewBrowser();
        var others = _smart.NewBrowser();
        (await admins.SubmitLoginAsync("/account/login", administrator.UserName, administrator.Password)).Dispose();
        (await others.SubmitLoginAsync("/account/login", physician.UserName, physician.Password)).Dispose();

        using var anonymous = await _smart.NewBrowser().GetAsync("/jobs");
        using var asPhysician = await others.GetAsync("/jobs");
        using var asAdministrator = await admins.GetAsync("/jobs");

        Assert.Contains(anonymous.StatusCode, new[] { HttpStatusCode.Unauthorized, HttpStatusCode.Forbidden });
        Assert.Contains(asPhysician.StatusCode, new[] { HttpStatusCode.Unauthorized, HttpStatusCode.Forbidden });
        Assert.Equal(HttpStatusCode.OK, asAdministrator.StatusCode);
    }

    /// <summary>The page without its per-request antiforgery token and the echoed user name.</summary>
    private static string Scrub(string html) => AntiforgeryValue().Replace(UserNameValue().Replace(html, ""), "");

    [GeneratedRegex("https?://[^\\s\"<>]+")]
    private static partial Regex LinkPattern();

    [GeneratedRegex("href=\"(/account/register[^\"]*)\"")]
    private static partial Regex RegisterLink();

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"[^\"]*\"")]
    private static partial Regex AntiforgeryValue();

    [GeneratedRegex("name=\"userName\" value=\"[^\"]*\"")]
    private static partial Regex UserNameValue();
}
