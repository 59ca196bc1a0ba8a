using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Fhir.Phr.Core.Access;
using Microsoft.Extensions.DependencyInjection;

namespace Fhir.Phr.Server.Tests.Smart;

/// <summary>
/// Launch context: EHR launch with a launch value our API mints, and the standalone patient
/// picker for an account that may see several records (its own and those shared with it).
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class LaunchContextTests(FhirServerFixture server)
{
    private readonly SmartHarness _smart = new(server);

    private async Task<string> MintAsync(HttpClient client, string patientId)
    {
        using var response = await client.PostAsJsonAsync("/auth/launch", new { patient = patientId });
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"minting a launch gave {(int)response.StatusCode}: {body}");
        Assert.Equal(_smart.BaseUrl, body.GetProperty("iss").GetString());
        return body.GetProperty("launch").GetString()!;
    }

    /// <summary>Shares the owner's record with the grantee account, as the owner would.</summary>
    private async Task ShareAsync(TestUser owner, TestUser grantee)
    {
        await using var scope = server.Factory.Services.CreateAsyncScope();
        var caller = new Caller(owner.Id, "portal", ["patient/*.cruds"]) { Patient = owner.PatientId, FhirUser = "Patient/" + owner.PatientId };
        await scope.ServiceProvider.GetRequiredService<AccessAuthenticator>().AuthenticateAsync(caller, CancellationToken.None);
        await scope.ServiceProvider.GetRequiredService<SharingService>().ShareAsync(owner.PatientId!, grantee.Id, canWrite: false, "test", CancellationToken.None);
    }

    [Fact]
    public async Task EhrLaunch_WithAMintedLaunch_PutsThatPatientInContext()
    {
        var app = await _smart.PublicAppAsync();
        var user = await _smart.PatientUserAsync();
        using var system = server.Http();
        var launch = await MintAsync(system, user.PatientId!);

        var token = await _smart.LaunchAsync(app, user, "launch openid fhirUser patient/*.rs", launch: launch);

        Assert.Equal(HttpStatusCode.OK, token.Status);
        Assert.Contains("launch", token.Scopes);
        Assert.Equal(user.PatientId, token.Get("patient"));
    }

    [Fact]
    public async Task EhrLaunch_ForARecordTheUserCannotSee_IsDenied()
    {
        var app = await _smart.PublicAppAsync();
        var user = await _smart.PatientUserAsync();
        var stranger = await _smart.PatientUserAsync();
        using var system = server.Http();
        var launch = await MintAsync(system, stranger.PatientId!);
        var (_, challenge) = SmartHarness.Pkce();

        var redirect = await _smart.AuthorizeAsync(app, user, "launch patient/*.rs", "s", challenge, launch: launch);

        Assert.Equal("access_denied", SmartHarness.QueryValue(redirect, "error"));
        Assert.Null(SmartHarness.QueryValue(redirect, "code"));
    }

    [Fact]
    public async Task EhrLaunch_WithAnUnknownLaunch_IsInvalidRequest()
    {
        var app = await _smart.PublicAppAsync();
        var user = await _smart.PatientUserAsync();
        var (_, challenge) = SmartHarness.Pkce();

        var redirect = await _smart.AuthorizeAsync(app, user, "launch patient/*.rs", "s", challenge, launch: "not-a-launch");

        Assert.Equal("invalid_request", SmartHarness.QueryValue(redirect, "error"));
    }

    [Fact]
    public async Task Mint_ForAPatientTheCallerCannotSee_Is404_AndForOwnRecordWorks()
    {
        var app = await _smart.PublicAppAsync();
        var user = await _smart.PatientUserAsync();
        var stranger = await _smart.PatientUserAsync();
        var token = await _smart.LaunchAsync(app, user, "launch/patient user/*.rs");
        using var client = _smart.WithToken(token.AccessToken);

        using var foreign = await client.PostAsJsonAsync("/auth/launch", new { patient = stranger.PatientId });
        var own = await MintAsync(client, user.PatientId!);

        Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
        Assert.False(string.IsNullOrEmpty(own));
    }

    [Fact]
    public async Task StandaloneLaunch_PatientAccount_IsNotAskedToPickAndGetsItsOwnRecord()
    {
        var app = await _smart.PublicAppAsync();
        var user = await _smart.PatientUserAsync();

        var token = await _smart.LaunchAsync(app, user, "launch/patient patient/*.rs", consent: form =>
        {
            Assert.Empty(form.PatientChoices);
            return form;
        });

        Assert.Equal(user.PatientId, token.Get("patient"));
    }

    [Fact]
    public async Task StandaloneLaunch_AccountSeeingSeveralRecords_PicksOne()
    {
        var app = await _smart.PublicAppAsync();
        var first = await _smart.PatientUserAsync();
        var second = await _smart.PatientUserAsync();
        var relative = await _smart.UserAsync("relative");
        await ShareAsync(first, relative);
        await ShareAsync(second, relative);

        var token = await _smart.LaunchAsync(app, relative, "launch/patient patient/*.rs", consent: form =>
        {
            Assert.Equal(new[] { first.PatientId, second.PatientId }.Order().ToList(), form.PatientChoices.Order().ToList());
            return form.Choose(second.PatientId!);
        });

        Assert.Equal(second.PatientId, token.Get("patient"));
        using var client = _smart.WithToken(token.AccessToken);
        using var chosen = await client.GetAsync(new Uri($"/Patient/{second.PatientId}", UriKind.Relative));
        using var other = await client.GetAsync(new Uri($"/Patient/{first.PatientId}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, chosen.StatusCode);
        Assert.Contains(other.StatusCode, new[] { HttpStatusCode.NotFound, HttpStatusCode.Forbidden });
    }

    [Fact]
    public async Task StandaloneLaunch_PickingARecordNotOffered_IsDenied()
    {
        var app = await _smart.PublicAppAsync();
        var first = await _smart.PatientUserAsync();
        var second = await _smart.PatientUserAsync();
        var notShared = await _smart.PatientUserAsync();
        var relative = await _smart.UserAsync("friend");
        await ShareAsync(first, relative);
        await ShareAsync(second, relative);
        var (_, challenge) = SmartHarness.Pkce();

        var redirect = await _smart.AuthorizeAsync(app, relative, "launch/patient patient/*.rs", "s", challenge, form =>
        {
            Assert.Equal(2, form.PatientChoices.Count);
            return form.Choose(notShared.PatientId!);
        });

        Assert.Equal("access_denied", SmartHarness.QueryValue(redirect, "error"));
    }

    [Fact]
    public async Task StandaloneLaunch_AccountSeeingOneSharedRecord_GetsItWithoutPicking()
    {
        var app = await _smart.PublicAppAsync();
        var owner = await _smart.PatientUserAsync();
        var friend = await _smart.UserAsync("friend");
        await ShareAsync(owner, friend);

        var token = await _smart.LaunchAsync(app, friend, "launch/patient patient/*.rs", consent: form =>
        {
            Assert.Empty(form.PatientChoices);
            return form;
        });

        Assert.Equal(owner.PatientId, token.Get("patient"));
    }

    [Fact]
    public async Task StandaloneLaunch_AccountWithoutAnyRecord_IsDenied()
    {
        var app = await _smart.PublicAppAsync();
        var lonely = await _smart.UserAsync("friend");
        var (_, challenge) = SmartHarness.Pkce();

        var redirect = await _smart.AuthorizeAsync(app, lonely, "launch/patient patient/*.rs", "s", challenge);

        Assert.Equal("access_denied", SmartHarness.QueryValue(redirect, "error"));
    }
}
