using System.Net;
using System.Text;
using System.Text.Json;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;

namespace Fhir.Phr.Server.Tests.Smart;

/// <summary>
/// Scope enforcement with real tokens, as a table: interaction × scope form (v1, v2 wildcard,
/// per type, granular ?category=, write-only, user/), each row stating what the token may do.
/// The patient in context owns records A (category "lab") and B (category "note"); another patient
/// owns C. "Denied" is 403 or 404 (docs/decisions.md fixes which); searches must not leak C,
/// whether matched or pulled in by _include / _revinclude.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class ScopeEnforcementTests(FhirServerFixture server)
{
    private const string Category = "http://example.org/fhir/CodeSystem/phr-test-category";
    private static readonly SemaphoreSlim SetupLock = new(1, 1);
    private static World? _world;
    private readonly SmartHarness _smart = new(server);

    public enum Expect
    {
        Allowed,
        Denied,
        Forbidden,
    }

    /// <summary>The records and tokens every row uses, made once.</summary>
    private sealed class World
    {
        public required FhirServerFixture Server { get; init; }

        public required TestUser Owner { get; init; }

        public required TestUser Other { get; init; }

        public required string LabDoc { get; init; }

        public required string NoteDoc { get; init; }

        public required string ForeignDoc { get; init; }

        public required TestClient App { get; init; }

        public Dictionary<string, string> Tokens { get; } = [];
    }

    private async Task<World> WorldAsync()
    {
        await SetupLock.WaitAsync();
        try
        {
            if (_world is { } existing && existing.Server == server)
                return existing;
            var owner = await _smart.PatientUserAsync();
            var other = await _smart.PatientUserAsync();
            using var admin = server.Http();
            _world = new World
            {
                Server = server,
                Owner = owner,
                Other = other,
                LabDoc = await CreateAsync(admin, Document(owner.PatientId!, "lab")),
                NoteDoc = await CreateAsync(admin, Document(owner.PatientId!, "note")),
                ForeignDoc = await CreateAsync(admin, Document(other.PatientId!, "lab")),
                App = await _smart.PublicAppAsync("patient/*.cruds user/*.cruds"),
            };
            return _world;
        }
        finally
        {
            SetupLock.Release();
        }
    }

    private async Task<string> TokenAsync(World world, string scope)
    {
        if (world.Tokens.TryGetValue(scope, out var cached))
            return cached;
        var token = await _smart.LaunchAsync(world.App, world.Owner, "launch/patient " + scope);
        Assert.Equal(HttpStatusCode.OK, token.Status);
        Assert.Contains(scope, token.Scopes);
        return world.Tokens[scope] = token.AccessToken;
    }

    private static DocumentReference Document(string patientId, string category)
    {
        var document = TestData.Document("Patient/" + patientId);
        document.Category = [new CodeableConcept(Category, category)];
        return document;
    }

    private static async Task<string> CreateAsync(HttpClient client, Resource resource)
    {
        using var response = await client.PostAsync(new Uri("/" + resource.TypeName, UriKind.Relative), Json(resource));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, body);
        return JsonDocument.Parse(body).RootElement.GetProperty("id").GetString()!;
    }

    private static StringContent Json(Resource resource) =>
        new(new FhirJsonSerializer().SerializeToString(resource), Encoding.UTF8, "application/fhir+json");

    public static TheoryData<string, string, Expect> Table() => new()
    {
        // read and vread of the patient's own record, and of another patient's
        { "patient/*.rs", "read own Patient", Expect.Allowed },
        { "patient/*.read", "read own Patient", Expect.Allowed },
        { "patient/Patient.rs", "read own Patient", Expect.Allowed },
        { "patient/DocumentReference.rs", "read own Patient", Expect.Forbidden },
        { "patient/DocumentReference.cud", "read own Patient", Expect.Forbidden },
        { "user/*.rs", "read own Patient", Expect.Allowed },
        { "patient/*.rs", "read other Patient", Expect.Denied },
        { "patient/*.cruds", "read other Patient", Expect.Denied },
        { "patient/*.*", "read other Patient", Expect.Denied },
        { "user/*.rs", "read other Patient", Expect.Denied },
        { "patient/*.rs", "vread own Patient", Expect.Allowed },
        { "patient/*.rs", "read own document", Expect.Allowed },
        { "patient/*.rs", "read other document", Expect.Denied },
        { "patient/DocumentReference.rs?category=" + Category + "|lab", "read own document", Expect.Allowed },
        { "patient/DocumentReference.rs?category=" + Category + "|lab", "read own note", Expect.Denied },
        { "patient/DocumentReference.rs?category=" + Category + "|lab", "read other document", Expect.Denied },

        // search, with _include / _revinclude that must not pull in other patients
        { "patient/*.rs", "search documents", Expect.Allowed },
        { "patient/*.read", "search documents", Expect.Allowed },
        { "user/*.rs", "search documents", Expect.Allowed },
        { "patient/DocumentReference.rs?category=" + Category + "|lab", "search documents (lab only)", Expect.Allowed },
        { "patient/Patient.rs", "search documents", Expect.Forbidden },
        { "patient/DocumentReference.r", "search documents", Expect.Forbidden },
        { "patient/*.rs", "search documents with _include subject", Expect.Allowed },
        { "patient/*.rs", "search patients with _revinclude documents", Expect.Allowed },
        { "patient/*.rs", "search other patient's documents by id", Expect.Allowed },

        // history
        { "patient/*.rs", "own Patient history", Expect.Allowed },
        { "patient/*.rs", "other Patient history", Expect.Denied },
        { "patient/*.rs", "DocumentReference type history", Expect.Allowed },
        { "patient/*.r", "DocumentReference type history", Expect.Forbidden },

        // writes
        { "patient/*.rs", "create own document", Expect.Forbidden },
        { "patient/*.cruds", "create own document", Expect.Allowed },
        { "patient/*.write", "create own document", Expect.Allowed },
        { "patient/DocumentReference.cud", "create own document", Expect.Allowed },
        { "patient/*.cruds", "create other document", Expect.Denied },
        { "patient/*.*", "create other document", Expect.Denied },
        { "patient/*.cruds", "update own Patient", Expect.Allowed },
        { "patient/*.rs", "update own Patient", Expect.Forbidden },
        { "patient/*.cruds", "update other Patient", Expect.Denied },
        { "patient/*.cruds", "patch own Patient", Expect.Allowed },
        { "patient/*.rs", "patch own Patient", Expect.Forbidden },
        { "patient/*.cruds", "delete own new document", Expect.Allowed },
        { "patient/*.rs", "delete own new document", Expect.Forbidden },
        { "patient/*.cruds", "delete other document", Expect.Denied },

        // bundles: each entry on its own
        { "patient/*.cruds", "transaction creating own document", Expect.Allowed },
        { "patient/*.cruds", "transaction creating other document", Expect.Denied },
        { "patient/*.rs", "batch reading own and other", Expect.Allowed },

        // operations
        { "patient/*.rs", "own $everything", Expect.Allowed },
        { "patient/*.rs", "other $everything", Expect.Denied },
        { "patient/Patient.rs", "own $everything without documents", Expect.Allowed },
        { "patient/*.rs", "$validate", Expect.Allowed },
        { "patient/*.rs", "$ingest", Expect.Forbidden },
        { "patient/*.rs", "DICOMweb QIDO", Expect.Allowed },
    };

    [Theory]
    [MemberData(nameof(Table))]
    public async Task Interaction_UnderScope_IsAsTheTableSays(string scope, string interaction, Expect expect)
    {
        var world = await WorldAsync();
        using var client = _smart.WithToken(await TokenAsync(world, scope));

        var (status, body) = await RunAsync(client, world, interaction);

        switch (expect)
        {
            case Expect.Allowed:
                Assert.True((int)status is >= 200 and < 300, $"{interaction} under {scope}: {(int)status} {body}");
                break;
            case Expect.Forbidden:
                Assert.True(status == HttpStatusCode.Forbidden, $"{interaction} under {scope}: expected 403, got {(int)status} {body}");
                break;
            default:
                Assert.True(status is HttpStatusCode.Forbidden or HttpStatusCode.NotFound, $"{interaction} under {scope}: expected 403/404, got {(int)status} {body}");
                break;
        }
        // Whatever was allowed, no resource of the other patient may appear in the answer.
        if (expect == Expect.Allowed)
        {
            foreach (var resource in Resources(body))
            {
                var id = resource.TryGetProperty("id", out var value) ? value.GetString() : null;
                Assert.False(id == world.ForeignDoc || id == world.Other.PatientId, $"{interaction} under {scope} returned {resource}");
                Assert.DoesNotContain("Patient/" + world.Other.PatientId, resource.GetRawText());
            }
        }
    }

    /// <summary>Every resource in an answer: itself, or a bundle's entries (nested bundles too).</summary>
    private static IEnumerable<JsonElement> Resources(string body)
    {
        if (body.Length == 0 || body[0] != '{')
            yield break;
        var stack = new Stack<JsonElement>([JsonDocument.Parse(body).RootElement]);
        while (stack.Count > 0)
        {
            var resource = stack.Pop();
            if (resource.TryGetProperty("resourceType", out var type) && type.GetString() == "Bundle")
            {
                if (resource.TryGetProperty("entry", out var entries))
                {
                    foreach (var entry in entries.EnumerateArray())
                    {
                        if (entry.TryGetProperty("resource", out var inner))
                            stack.Push(inner);
                    }
                }
            }
            else if (resource.TryGetProperty("resourceType", out var kind) && kind.GetString() != "OperationOutcome")
            {
                yield return resource;
            }
        }
    }

    private static async Task<(HttpStatusCode Status, string Body)> RunAsync(HttpClient client, World world, string interaction)
    {
        var own = world.Owner.PatientId!;
        var other = world.Other.PatientId!;
        using var response = interaction switch
        {
            "read own Patient" => await client.GetAsync(Url($"/Patient/{own}")),
            "read other Patient" => await client.GetAsync(Url($"/Patient/{other}")),
            "vread own Patient" => await client.GetAsync(Url($"/Patient/{own}/_history/1")),
            "read own document" => await client.GetAsync(Url($"/DocumentReference/{world.LabDoc}")),
            "read own note" => await client.GetAsync(Url($"/DocumentReference/{world.NoteDoc}")),
            "read other document" => await client.GetAsync(Url($"/DocumentReference/{world.ForeignDoc}")),
            "search documents" => await client.GetAsync(Url($"/DocumentReference?category={Category}|lab,{Category}|note")),
            "search documents (lab only)" => await client.GetAsync(Url($"/DocumentReference?category={Category}|lab")),
            "search documents with _include subject" => await client.GetAsync(Url($"/DocumentReference?category={Category}|lab&_include=DocumentReference:subject")),
            "search patients with _revinclude documents" => await client.GetAsync(Url($"/Patient?_id={own},{other}&_revinclude=DocumentReference:subject")),
            "search other patient's documents by id" => await client.GetAsync(Url($"/DocumentReference?_id={world.ForeignDoc}")),
            "own Patient history" => await client.GetAsync(Url($"/Patient/{own}/_history")),
            "other Patient history" => await client.GetAsync(Url($"/Patient/{other}/_history")),
            "DocumentReference type history" => await client.GetAsync(Url("/DocumentReference/_history?_count=50")),
            "create own document" => await client.PostAsync(Url("/DocumentReference"), Json(Document(own, "note"))),
            "create other document" => await client.PostAsync(Url("/DocumentReference"), Json(Document(other, "note"))),
            "update own Patient" => await client.PutAsync(Url($"/Patient/{own}"), await CurrentAsync(world, own)),
            "update other Patient" => await client.PutAsync(Url($"/Patient/{other}"), await CurrentAsync(world, other)),
            "patch own Patient" => await client.PatchAsync(Url($"/Patient/{own}"), new StringContent("[{\"op\":\"replace\",\"path\":\"/gender\",\"value\":\"female\"}]", Encoding.UTF8, "application/json-patch+json")),
            "delete own new document" => await client.DeleteAsync(Url($"/DocumentReference/{await AdminCreateAsync(world, Document(own, "note"))}")),
            "delete other document" => await client.DeleteAsync(Url($"/DocumentReference/{world.ForeignDoc}")),
            "transaction creating own document" => await client.PostAsync(Url("/"), TransactionOf(Document(own, "note"))),
            "transaction creating other document" => await client.PostAsync(Url("/"), TransactionOf(Document(other, "note"))),
            "batch reading own and other" => await client.PostAsync(Url("/"), new StringContent(
                "{\"resourceType\":\"Bundle\",\"type\":\"batch\",\"entry\":[{\"request\":{\"method\":\"GET\",\"url\":\"Patient/" + own
                + "\"}},{\"request\":{\"method\":\"GET\",\"url\":\"DocumentReference/" + world.ForeignDoc + "\"}}]}",
                Encoding.UTF8, "application/fhir+json")),
            "own $everything" => await client.GetAsync(Url($"/Patient/{own}/$everything")),
            "other $everything" => await client.GetAsync(Url($"/Patient/{other}/$everything")),
            "own $everything without documents" => await client.GetAsync(Url($"/Patient/{own}/$everything")),
            "$validate" => await client.PostAsync(Url("/Patient/$validate"), Json(TestData.Patient())),
            "$ingest" => await client.PostAsync(Url("/$ingest"), new StringContent("{\"resourceType\":\"Patient\"}", Encoding.UTF8, "application/fhir+json")),
            "DICOMweb QIDO" => await client.GetAsync(Url("/dicomweb/studies")),
            _ => throw new ArgumentOutOfRangeException(nameof(interaction), interaction, null),
        };
        var body = await response.Content.ReadAsStringAsync();
        if (interaction == "batch reading own and other")
        {
            // The batch itself succeeds; the foreign entry must fail on its own and leak nothing.
            Assert.Contains("\"status\":\"200", body.Replace(" ", "", StringComparison.Ordinal));
            Assert.Matches("\"status\":\"40[34]", body.Replace(" ", "", StringComparison.Ordinal));
        }
        if (interaction == "own $everything without documents")
            Assert.DoesNotContain("\"DocumentReference\"", body);
        if (interaction == "search documents (lab only)")
            Assert.DoesNotContain(world.NoteDoc, body);
        return (response.StatusCode, body);
    }

    private static Uri Url(string path) => new(path, UriKind.Relative);

    private static async Task<StringContent> CurrentAsync(World world, string patientId)
    {
        using var admin = world.Server.Http();
        return new StringContent(await admin.GetStringAsync(Url($"/Patient/{patientId}")), Encoding.UTF8, "application/fhir+json");
    }

    private static async Task<string> AdminCreateAsync(World world, Resource resource)
    {
        using var admin = world.Server.Http();
        return await CreateAsync(admin, resource);
    }

    private static StringContent TransactionOf(Resource resource)
    {
        var bundle = new Bundle { Type = Hl7.Fhir.Model.Bundle.BundleType.Transaction };
        bundle.Entry.Add(new Bundle.EntryComponent
        {
            FullUrl = "urn:uuid:" + Guid.NewGuid(),
            Resource = resource,
            Request = new Bundle.RequestComponent { Method = Bundle.HTTPVerb.POST, Url = resource.TypeName },
        });
        return Json(bundle);
    }
}
