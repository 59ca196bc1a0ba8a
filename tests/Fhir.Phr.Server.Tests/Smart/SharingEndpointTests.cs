using System.Net;
using System.Text;
using System.Text.Json;

namespace Fhir.Phr.Server.Tests.Smart;

/// <summary>
/// The owner's sharing operations over HTTP, each caller with a real token: <c>$share</c> by
/// user name or email, <c>$shares</c>, <c>$revoke</c> and <c>$break-glass</c>, and what the
/// grantee can read before, during and after.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class SharingEndpointTests(FhirServerFixture server)
{
    private readonly SmartHarness _smart = new(server);

    private async Task<HttpClient> SignedInAsync(TestUser user, string scope)
    {
        var app = await _smart.PublicAppAsync();
        var token = await _smart.LaunchAsync(app, user, scope);
        Assert.Equal(HttpStatusCode.OK, token.Status);
        return _smart.WithToken(token.AccessToken);
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body)> PostAsync(HttpClient client, string url, params (string Name, string Value)[] parameters)
    {
        var body = JsonSerializer.Serialize(new
        {
            resourceType = "Parameters",
            parameter = parameters.Select(p => new { name = p.Name, valueString = p.Value }),
        });
        using var content = new StringContent(body, Encoding.UTF8, "application/fhir+json");
        using var response = await client.PostAsync(new Uri(url, UriKind.Relative), content);
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
    }

    private static string? Part(JsonElement parameters, string name) =>
        parameters.GetProperty("parameter")[0].GetProperty("part").EnumerateArray()
            .Where(p => p.GetProperty("name").GetString() == name)
            .Select(p => p.GetProperty("valueString").GetString())
            .FirstOrDefault();

    [Fact]
    public async Task Share_ByUserName_ThenRevoke_OpensAndClosesTheRecordToTheGrantee()
    {
        var owner = await _smart.PatientUserAsync();
        var friend = await _smart.UserAsync("friend");
        using var ownerClient = await SignedInAsync(owner, "launch/patient patient/*.cruds");
        using var friendClient = await SignedInAsync(friend, "user/Patient.rs");
        var record = new Uri($"/Patient/{owner.PatientId}", UriKind.Relative);
        using var before = await friendClient.GetAsync(record);

        var (shareStatus, shared) = await PostAsync(ownerClient, $"/Patient/{owner.PatientId}/$share", ("grantee", friend.UserName), ("access", "read"));
        using var during = await friendClient.GetAsync(record);
        var (revokeStatus, _) = await PostAsync(ownerClient, $"/Patient/{owner.PatientId}/$revoke", ("grant", Part(shared, "id")!));
        using var after = await friendClient.GetAsync(record);

        Assert.Equal(HttpStatusCode.NotFound, before.StatusCode);
        Assert.Equal(HttpStatusCode.Created, shareStatus);
        Assert.Equal(friend.Id, Part(shared, "grantee"));
        Assert.Equal(friend.UserName, Part(shared, "granteeName"));
        Assert.Equal(HttpStatusCode.OK, during.StatusCode);
        Assert.Equal(HttpStatusCode.OK, revokeStatus);
        Assert.Equal(HttpStatusCode.NotFound, after.StatusCode);
    }

    [Fact]
    public async Task Share_ByEmail_IsListedWithTheGranteesName()
    {
        var owner = await _smart.PatientUserAsync();
        var relative = await _smart.UserAsync("relative");
        using var ownerClient = await SignedInAsync(owner, "launch/patient patient/*.cruds");

        var (status, _) = await PostAsync(ownerClient, $"/Patient/{owner.PatientId}/$share", ("grantee", relative.UserName + "@example.org"));
        using var list = await ownerClient.GetAsync(new Uri($"/Patient/{owner.PatientId}/$shares", UriKind.Relative));
        var shares = JsonDocument.Parse(await list.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.Created, status);
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        Assert.Equal(relative.UserName, Part(shares, "granteeName"));
        Assert.Equal("share", shares.GetProperty("parameter")[0].GetProperty("part").EnumerateArray()
            .Single(p => p.GetProperty("name").GetString() == "kind").GetProperty("valueCode").GetString());
    }

    [Fact]
    public async Task Share_WithAnUnknownAccount_Is404AndGrantsNothing()
    {
        var owner = await _smart.PatientUserAsync();
        using var ownerClient = await SignedInAsync(owner, "launch/patient patient/*.cruds");

        var (status, outcome) = await PostAsync(ownerClient, $"/Patient/{owner.PatientId}/$share", ("grantee", "nobody-" + TestData.Unique("x")));
        using var list = await ownerClient.GetAsync(new Uri($"/Patient/{owner.PatientId}/$shares", UriKind.Relative));
        var shares = JsonDocument.Parse(await list.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal("OperationOutcome", outcome.GetProperty("resourceType").GetString());
        Assert.False(shares.TryGetProperty("parameter", out _), shares.ToString());
    }

    [Fact]
    public async Task Share_ByAnotherAccount_Is403EvenForAnUnknownGrantee()
    {
        var owner = await _smart.PatientUserAsync();
        var other = await _smart.PatientUserAsync();
        using var otherClient = await SignedInAsync(other, "launch/patient patient/*.cruds");

        var (status, _) = await PostAsync(otherClient, $"/Patient/{owner.PatientId}/$share", ("grantee", "nobody-" + TestData.Unique("x")));

        Assert.Equal(HttpStatusCode.Forbidden, status);
    }

    [Fact]
    public async Task BreakGlass_ByAnEmergencyAccount_GrantsAReadAndTheOwnerSeesTheAuditEvent()
    {
        var owner = await _smart.PatientUserAsync();
        var medic = await _smart.UserAsync("emergency");
        using var medicClient = await SignedInAsync(medic, "user/Patient.rs user/AuditEvent.rs");
        using var ownerClient = await SignedInAsync(owner, "launch/patient patient/*.rs");

        var (tooShort, _) = await PostAsync(medicClient, $"/Patient/{owner.PatientId}/$break-glass", ("reason", "urgent"));
        var (status, grant) = await PostAsync(medicClient, $"/Patient/{owner.PatientId}/$break-glass", ("reason", "unconscious in the emergency room"));
        using var read = await medicClient.GetAsync(new Uri($"/Patient/{owner.PatientId}", UriKind.Relative));
        using var audit = await ownerClient.GetAsync(new Uri($"/AuditEvent?entity=Patient/{owner.PatientId}", UriKind.Relative));
        var audits = JsonDocument.Parse(await audit.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.BadRequest, tooShort);
        Assert.Equal(HttpStatusCode.Created, status);
        Assert.Equal(medic.UserName, Part(grant, "granteeName"));
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal(HttpStatusCode.OK, audit.StatusCode);
        var entry = Assert.Single(audits.GetProperty("entry").EnumerateArray());
        Assert.Equal("110127", entry.GetProperty("resource").GetProperty("subtype")[0].GetProperty("code").GetString());
        Assert.Equal(medic.UserName, entry.GetProperty("resource").GetProperty("agent")[0].GetProperty("who").GetProperty("display").GetString());
    }

    [Fact]
    public async Task BreakGlass_WithoutTheEmergencyRole_Is403()
    {
        var owner = await _smart.PatientUserAsync();
        var friend = await _smart.UserAsync("friend");
        using var friendClient = await SignedInAsync(friend, "user/Patient.rs");

        var (status, outcome) = await PostAsync(friendClient, $"/Patient/{owner.PatientId}/$break-glass", ("reason", "I would like to look at it please"));

        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Equal("OperationOutcome", outcome.GetProperty("resourceType").GetString());
    }
}
