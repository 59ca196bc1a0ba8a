using System.Net;
using Fhir.Phr.Core.Access;
using Fhir.Phr.Core.Bundles;
using Fhir.Phr.Core.Errors;
using Fhir.Phr.Core.Keys;
using Fhir.Phr.Core.Resources;
using Fhir.Phr.Core.Search;
using Fhir.Phr.Core.Storage;
using Fhir.Phr.Protection;
using Hl7.Fhir.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Fhir.Phr.Server.Tests;

/// <summary>
/// Who reaches which record, enforced twice: by the access context (SMART scopes, compartments,
/// shares) and by the record's CP-ABE envelope, which only opens for the right attributes.
/// Runs the real services of the in-process server on its real database.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class RecordAccessTests(FhirServerFixture server)
{
    private static readonly CancellationToken None = CancellationToken.None;

    private async Task<T> AsAsync<T>(Caller? caller, Func<IServiceProvider, Task<T>> act)
    {
        await using var scope = server.Factory.Services.CreateAsyncScope();
        if (caller is not null)
            await scope.ServiceProvider.GetRequiredService<AccessAuthenticator>().AuthenticateAsync(caller, None);
        return await act(scope.ServiceProvider);
    }

    private Task<string> CreateAsync(Resource resource) =>
        AsAsync(null, async sp => (await sp.GetRequiredService<ResourceService>().CreateAsync(resource, None)).Resource.Id);

    private Task<StoredResource> ReadAsync(Caller caller, string type, string id) =>
        AsAsync(caller, sp => sp.GetRequiredService<ResourceService>().ReadAsync(type, id, None));

    private async Task<HttpStatusCode> StatusOfAsync(Func<Task> act)
    {
        try
        {
            await act();
            return HttpStatusCode.OK;
        }
        catch (FhirProblem problem)
        {
            return problem.Status;
        }
    }

    private Task<List<RecordEnvelope>> EnvelopesOfAsync(string patientId) =>
        AsAsync(null, sp => sp.GetRequiredService<PhrDbContext>().RecordEnvelopes.AsNoTracking().Where(e => e.Owner == patientId).ToListAsync());

    private static Caller PatientApp(string patientId, params string[] scopes) =>
        new("account-" + patientId, "app", scopes.Length > 0 ? scopes : ["patient/*.cruds"]) { Patient = patientId, FhirUser = "Patient/" + patientId };

    private async Task<(string Alice, string Bob, string AliceDoc, string BobDoc)> TwoPatientsAsync()
    {
        var alice = await CreateAsync(TestData.Patient());
        var bob = await CreateAsync(TestData.Patient());
        var aliceDoc = await CreateAsync(TestData.Document("Patient/" + alice));
        var bobDoc = await CreateAsync(TestData.Document("Patient/" + bob));
        return (alice, bob, aliceDoc, bobDoc);
    }

    [Fact]
    public async Task PatientScope_ReadsOwnRecord_OthersAreNotFound()
    {
        var (alice, bob, aliceDoc, bobDoc) = await TwoPatientsAsync();
        var app = PatientApp(alice);

        Assert.Equal(alice, (await ReadAsync(app, "Patient", alice)).Id);
        Assert.Equal(aliceDoc, (await ReadAsync(app, "DocumentReference", aliceDoc)).Id);
        Assert.Equal(HttpStatusCode.NotFound, await StatusOfAsync(() => ReadAsync(app, "Patient", bob)));
        Assert.Equal(HttpStatusCode.NotFound, await StatusOfAsync(() => ReadAsync(app, "DocumentReference", bobDoc)));
    }

    [Fact]
    public async Task PatientScope_SearchAndIncludes_StayInTheCompartment()
    {
        var (alice, bob, aliceDoc, bobDoc) = await TwoPatientsAsync();

        var result = await AsAsync(PatientApp(alice), sp =>
        {
            var query = sp.GetRequiredService<SearchQueryParser>().Parse("DocumentReference",
                [new("_id", aliceDoc + "," + bobDoc), new("_include", "DocumentReference:subject")], SearchHandling.Strict);
            return sp.GetRequiredService<SearchService>().SearchAsync(query, None);
        });

        Assert.Equal([aliceDoc], result.Matches.Select(m => m.Id));
        Assert.Equal(1, result.Total);
        Assert.Equal([alice], result.Included.Select(m => m.Id));
        Assert.DoesNotContain(result.Included, m => m.Id == bob);
    }

    [Fact]
    public async Task RevIncludeFromAnotherRecord_IsFiltered()
    {
        var (alice, bob, _, _) = await TwoPatientsAsync();
        // A document of Bob's that names Alice as author would be a leak through _revinclude.
        var crossDoc = TestData.Document("Patient/" + bob);
        crossDoc.Author = [new ResourceReference("Patient/" + alice)];
        await CreateAsync(crossDoc);

        var result = await AsAsync(PatientApp(alice), sp =>
        {
            var query = sp.GetRequiredService<SearchQueryParser>().Parse("Patient",
                [new("_id", alice), new("_revinclude", "DocumentReference:author")], SearchHandling.Strict);
            return sp.GetRequiredService<SearchService>().SearchAsync(query, None);
        });

        Assert.Empty(result.Included);
    }

    [Fact]
    public async Task PatientScope_WritesOnlyIntoOwnRecord()
    {
        var (alice, bob, _, bobDoc) = await TwoPatientsAsync();
        var app = PatientApp(alice);

        var own = await AsAsync(app, async sp => (await sp.GetRequiredService<ResourceService>().CreateAsync(TestData.Document("Patient/" + alice), None)).Resource);
        Assert.Equal(1, own.Version);
        Assert.Equal(HttpStatusCode.Forbidden, await StatusOfAsync(() =>
            AsAsync(app, sp => sp.GetRequiredService<ResourceService>().CreateAsync(TestData.Document("Patient/" + bob), None))));
        Assert.Equal(HttpStatusCode.NotFound, await StatusOfAsync(() =>
            AsAsync(app, sp => sp.GetRequiredService<ResourceService>().DeleteAsync("DocumentReference", bobDoc, null, None))));
        // Moving one's own document into another record is a write into that record.
        var moved = TestData.Document("Patient/" + bob);
        Assert.Equal(HttpStatusCode.Forbidden, await StatusOfAsync(() =>
            AsAsync(app, sp => sp.GetRequiredService<ResourceService>().UpdateAsync(moved, own.Id, null, None))));
    }

    [Fact]
    public async Task Share_ThenRevoke_ThenRewrap_ClosesTheRecordToTheOldKey()
    {
        var (alice, _, aliceDoc, _) = await TwoPatientsAsync();
        var owner = new Caller("account-" + alice, "app", ["user/*.cruds"]) { FhirUser = "Patient/" + alice };
        var friend = new Caller(TestData.Unique("friend"), "app", ["user/*.rs"]) { Roles = ["friend"] };

        Assert.Equal(HttpStatusCode.NotFound, await StatusOfAsync(() => ReadAsync(friend, "DocumentReference", aliceDoc)));
        var grant = await AsAsync(owner, sp => sp.GetRequiredService<SharingService>().ShareAsync(alice, friend.Subject, canWrite: false, "my GP's colleague", None));
        Assert.Equal(aliceDoc, (await ReadAsync(friend, "DocumentReference", aliceDoc)).Id);
        Assert.Equal(HttpStatusCode.Forbidden, await StatusOfAsync(() =>
            AsAsync(friend, sp => sp.GetRequiredService<ResourceService>().CreateAsync(TestData.Document("Patient/" + alice), None))));

        await AsAsync(owner, sp => sp.GetRequiredService<SharingService>().RevokeAsync(alice, grant.Id, None));
        Assert.Equal(HttpStatusCode.NotFound, await StatusOfAsync(() => ReadAsync(friend, "DocumentReference", aliceDoc)));
        var rewrapped = await AsAsync(null, sp => sp.GetRequiredService<RecordKeys>().RewrapAsync(alice, None));
        Assert.True(rewrapped >= 1);

        // Cryptographically: a key the friend held while the share lasted opens nothing now,
        // while the owner's key and the current epoch's share still do.
        var authority = server.Factory.Services.GetRequiredService<KeyAuthority>();
        var envelopes = await EnvelopesOfAsync(alice);
        Assert.NotEmpty(envelopes);
        Assert.All(envelopes, e =>
        {
            Assert.Equal(1, e.WrapEpoch);
            Assert.False(KeyEnvelope.TryOpen(authority.KeyFor([RecordPolicy.Grant(alice, 0)]), e.Sealed, out _));
            Assert.True(KeyEnvelope.TryOpen(authority.KeyFor([RecordPolicy.Grant(alice, 1)]), e.Sealed, out _));
            Assert.True(KeyEnvelope.TryOpen(authority.KeyFor([RecordPolicy.Owner(alice)]), e.Sealed, out _));
        });
        Assert.Equal(aliceDoc, (await ReadAsync(owner, "DocumentReference", aliceDoc)).Id);
        var grants = await AsAsync(owner, sp => sp.GetRequiredService<SharingService>().ListAsync(alice, None));
        Assert.NotNull(Assert.Single(grants).RevokedAt);
    }

    [Fact]
    public async Task ANewRecordsEnvelope_NamesOnlyItsOwner_UntilItIsShared()
    {
        var (alice, _, aliceDoc, _) = await TwoPatientsAsync();
        var owner = new Caller("account-" + alice, "app", ["user/*.cruds"]) { FhirUser = "Patient/" + alice };
        var friend = new Caller(TestData.Unique("friend"), "app", ["user/*.rs"]) { Roles = ["friend"] };
        var authority = server.Factory.Services.GetRequiredService<KeyAuthority>();
        var envelope = Assert.Single(await EnvelopesOfAsync(alice));
        Assert.Equal(RecordPolicy.ForNewRecord(alice), KeyEnvelope.PolicyOf(envelope.Sealed));
        Assert.False(KeyEnvelope.TryOpen(authority.KeyFor([RecordPolicy.Grant(alice, 0)]), envelope.Sealed, out _));
        Assert.False(KeyEnvelope.TryOpen(authority.KeyFor([RecordPolicy.Emergency(alice)]), envelope.Sealed, out _));
        Assert.True(KeyEnvelope.TryOpen(authority.KeyFor([RecordPolicy.Owner(alice)]), envelope.Sealed, out var ownersKey));

        await AsAsync(owner, sp => sp.GetRequiredService<SharingService>().ShareAsync(alice, friend.Subject, canWrite: false, null, None));

        // Re-wrapped in place under the full policy: same envelope, same data key, so the stored
        // payloads open as before, now also for the grantee and for break-glass.
        var shared = Assert.Single(await EnvelopesOfAsync(alice));
        Assert.Equal(envelope.Id, shared.Id);
        Assert.Equal(RecordPolicy.For(alice, 0), KeyEnvelope.PolicyOf(shared.Sealed));
        Assert.True(KeyEnvelope.TryOpen(authority.KeyFor([RecordPolicy.Grant(alice, 0)]), shared.Sealed, out var grantKey));
        Assert.Equal(ownersKey, grantKey);
        Assert.True(KeyEnvelope.TryOpen(authority.KeyFor([RecordPolicy.Emergency(alice)]), shared.Sealed, out _));
        Assert.Equal(aliceDoc, (await ReadAsync(friend, "DocumentReference", aliceDoc)).Id);
        Assert.Equal(aliceDoc, (await ReadAsync(owner, "DocumentReference", aliceDoc)).Id);

        // A second share finds nothing left to re-wrap.
        Assert.Equal(0, await AsAsync(null, sp => sp.GetRequiredService<RecordKeys>().OpenToSharingAsync(alice, None)));
    }

    [Fact]
    public async Task ANewPatientInATransaction_IsSealedForItsOwnerOnly()
    {
        var patient = TestData.Patient();
        patient.Id = null;
        var bundle = new Bundle { Type = Bundle.BundleType.Transaction };
        bundle.Entry.Add(new Bundle.EntryComponent { FullUrl = "urn:uuid:" + Guid.NewGuid(), Resource = patient, Request = new Bundle.RequestComponent { Method = Bundle.HTTPVerb.POST, Url = "Patient" } });
        var response = await AsAsync(null, sp => sp.GetRequiredService<BundleProcessor>().ProcessAsync(bundle, ReturnPreference.Minimal, None));
        var id = new Hl7.Fhir.Rest.ResourceIdentity(response.Entry[0].Response.Location).Id;

        var envelope = Assert.Single(await EnvelopesOfAsync(id));
        Assert.Equal(RecordPolicy.ForNewRecord(id), KeyEnvelope.PolicyOf(envelope.Sealed));
    }

    [Fact]
    public async Task Revoke_TakesEffectOnTheVeryNextRequest_ThoughTheReachWasCached()
    {
        var (alice, _, aliceDoc, _) = await TwoPatientsAsync();
        var owner = new Caller("account-" + alice, "app", ["user/*.cruds"]) { FhirUser = "Patient/" + alice };
        var friend = new Caller(TestData.Unique("friend"), "app", ["user/*.rs"]) { Roles = ["friend"] };
        var grant = await AsAsync(owner, sp => sp.GetRequiredService<SharingService>().ShareAsync(alice, friend.Subject, canWrite: false, null, None));
        // The second read is served from the reach the first one cached.
        Assert.Equal(aliceDoc, (await ReadAsync(friend, "DocumentReference", aliceDoc)).Id);
        Assert.Equal(aliceDoc, (await ReadAsync(friend, "DocumentReference", aliceDoc)).Id);

        await AsAsync(owner, sp => sp.GetRequiredService<SharingService>().RevokeAsync(alice, grant.Id, None));

        Assert.Equal(HttpStatusCode.NotFound, await StatusOfAsync(() => ReadAsync(friend, "DocumentReference", aliceDoc)));
    }

    [Fact]
    public async Task Share_TakesEffectOnTheVeryNextRequest_ThoughTheReachWasCached()
    {
        var (alice, _, aliceDoc, _) = await TwoPatientsAsync();
        var owner = new Caller("account-" + alice, "app", ["user/*.cruds"]) { FhirUser = "Patient/" + alice };
        var friend = new Caller(TestData.Unique("friend"), "app", ["user/*.rs"]) { Roles = ["friend"] };
        Assert.Equal(HttpStatusCode.NotFound, await StatusOfAsync(() => ReadAsync(friend, "DocumentReference", aliceDoc)));

        await AsAsync(owner, sp => sp.GetRequiredService<SharingService>().ShareAsync(alice, friend.Subject, canWrite: false, null, None));

        Assert.Equal(aliceDoc, (await ReadAsync(friend, "DocumentReference", aliceDoc)).Id);
    }

    [Fact]
    public async Task Revoke_NewWritesUseTheNewEpochAtOnce_ThoughTheEpochWasCached()
    {
        var alice = await CreateAsync(TestData.Patient());
        await CreateAsync(TestData.Document("Patient/" + alice));
        var owner = new Caller("account-" + alice, "app", ["user/*.cruds"]) { FhirUser = "Patient/" + alice };
        var grant = await AsAsync(owner, sp => sp.GetRequiredService<SharingService>().ShareAsync(alice, TestData.Unique("friend"), canWrite: false, null, None));

        await AsAsync(owner, sp => sp.GetRequiredService<SharingService>().RevokeAsync(alice, grant.Id, None));
        var newDoc = await CreateAsync(TestData.Document("Patient/" + alice));

        var sealedEnvelope = await AsAsync(null, async sp =>
        {
            var db = sp.GetRequiredService<PhrDbContext>();
            var envelopeId = await db.Resources.AsNoTracking().Where(r => r.ResourceId == newDoc).Select(r => r.EnvelopeId).SingleAsync();
            return await db.RecordEnvelopes.AsNoTracking().Where(e => e.Id == envelopeId).Select(e => new { e.CreatedEpoch, e.Sealed }).SingleAsync();
        });
        Assert.Equal(1, sealedEnvelope.CreatedEpoch);
        var authority = server.Factory.Services.GetRequiredService<KeyAuthority>();
        Assert.False(KeyEnvelope.TryOpen(authority.KeyFor([RecordPolicy.Grant(alice, 0)]), sealedEnvelope.Sealed, out _));
    }

    [Fact]
    public async Task RecordsStayReadableForOtherSharesWhileTheRewrapRuns()
    {
        var (alice, _, aliceDoc, _) = await TwoPatientsAsync();
        var owner = new Caller("account-" + alice, "app", ["user/*.cruds"]) { FhirUser = "Patient/" + alice };
        var doctor = new Caller(TestData.Unique("doctor"), "app", ["user/*.rs"]) { Roles = ["physician"] };
        var relative = new Caller(TestData.Unique("relative"), "app", ["user/*.rs"]) { Roles = ["relative"] };
        await AsAsync(owner, sp => sp.GetRequiredService<SharingService>().ShareAsync(alice, doctor.Subject, false, null, None));
        var relativeGrant = await AsAsync(owner, sp => sp.GetRequiredService<SharingService>().ShareAsync(alice, relative.Subject, false, null, None));

        await AsAsync(owner, sp => sp.GetRequiredService<SharingService>().RevokeAsync(alice, relativeGrant.Id, None));

        Assert.Equal(aliceDoc, (await ReadAsync(doctor, "DocumentReference", aliceDoc)).Id);
        var newDoc = await AsAsync(owner, async sp => (await sp.GetRequiredService<ResourceService>().CreateAsync(TestData.Document("Patient/" + alice), None)).Resource.Id);
        Assert.Equal(newDoc, (await ReadAsync(doctor, "DocumentReference", newDoc)).Id);
    }

    [Fact]
    public async Task OnlyTheOwnerManagesShares()
    {
        var (alice, bob, _, _) = await TwoPatientsAsync();
        var bobsAccount = new Caller("account-" + bob, "app", ["user/*.cruds"]) { FhirUser = "Patient/" + bob };

        Assert.Equal(HttpStatusCode.Forbidden, await StatusOfAsync(() =>
            AsAsync(bobsAccount, sp => sp.GetRequiredService<SharingService>().ShareAsync(alice, "mallory", true, null, None))));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusOfAsync(() =>
            AsAsync(bobsAccount, sp => sp.GetRequiredService<SharingService>().ListAsync(alice, None))));
    }

    [Fact]
    public async Task BreakGlass_NeedsTheRoleAndAReason_IsAuditedInTheOwnersRecord()
    {
        var (alice, _, aliceDoc, _) = await TwoPatientsAsync();
        var paramedic = new Caller(TestData.Unique("paramedic"), "app", ["user/*.rs"]) { Roles = ["emergency"] };
        var friend = new Caller(TestData.Unique("friend"), "app", ["user/*.rs"]) { Roles = ["friend"] };
        var sharing = (Caller c, string reason) => AsAsync(c, sp => sp.GetRequiredService<SharingService>().BreakGlassAsync(alice, reason, None));

        Assert.Equal(HttpStatusCode.Forbidden, await StatusOfAsync(() => sharing(friend, "unconscious at the scene")));
        Assert.Equal(HttpStatusCode.BadRequest, await StatusOfAsync(() => sharing(paramedic, "urgent")));
        Assert.Equal(HttpStatusCode.NotFound, await StatusOfAsync(() => ReadAsync(paramedic, "DocumentReference", aliceDoc)));

        var grant = await sharing(paramedic, "unconscious at the scene, allergies needed");
        Assert.Equal(GrantKind.BreakGlass, grant.Kind);
        Assert.Equal(aliceDoc, (await ReadAsync(paramedic, "DocumentReference", aliceDoc)).Id);

        var owner = new Caller("account-" + alice, "app", ["patient/AuditEvent.rs"]) { Patient = alice, FhirUser = "Patient/" + alice };
        var audits = await AsAsync(owner, sp =>
        {
            var query = sp.GetRequiredService<SearchQueryParser>().Parse("AuditEvent", [new("patient", "Patient/" + alice)], SearchHandling.Strict);
            return sp.GetRequiredService<SearchService>().SearchAsync(query, None);
        });
        var audit = (AuditEvent)Assert.Single(audits.Matches).ToPoco();
        Assert.Equal("110127", audit.Subtype.Single().Code);
        Assert.Equal("unconscious at the scene, allergies needed", audit.Entity.Single().Description);
        Assert.Equal(paramedic.Subject, audit.Agent.Single().Who.Identifier.Value);
    }

    [Fact]
    public async Task AuditEvents_AreReadOnlyForAccounts()
    {
        var (alice, _, _, _) = await TwoPatientsAsync();
        var audit = new AuditEvent
        {
            Type = new Coding("http://dicom.nema.org/resources/ontology/DCM", "110110"),
            Recorded = DateTimeOffset.UtcNow,
            Agent = [new AuditEvent.AgentComponent { Requestor = true, Who = new ResourceReference("Patient/" + alice) }],
            Source = new AuditEvent.SourceComponent { Observer = new ResourceReference { Display = "forged" } },
            Entity = [new AuditEvent.EntityComponent { What = new ResourceReference("Patient/" + alice) }],
        };

        Assert.Equal(HttpStatusCode.Forbidden, await StatusOfAsync(() =>
            AsAsync(PatientApp(alice), sp => sp.GetRequiredService<ResourceService>().CreateAsync(audit, None))));
    }

    [Fact]
    public async Task GranularScope_LimitsReadsAndSearchesToMatchingResources()
    {
        var alice = await CreateAsync(TestData.Patient());
        var discharge = await CreateAsync(TestData.Document("Patient/" + alice, loinc: "18842-5"));
        var lab = await CreateAsync(TestData.Document("Patient/" + alice, loinc: "11502-2"));
        var app = PatientApp(alice, "patient/DocumentReference.rs?type=http://loinc.org|11502-2");

        Assert.Equal(lab, (await ReadAsync(app, "DocumentReference", lab)).Id);
        Assert.Equal(HttpStatusCode.NotFound, await StatusOfAsync(() => ReadAsync(app, "DocumentReference", discharge)));
        var result = await AsAsync(app, sp =>
        {
            var query = sp.GetRequiredService<SearchQueryParser>().Parse("DocumentReference", [new("subject", "Patient/" + alice)], SearchHandling.Strict);
            return sp.GetRequiredService<SearchService>().SearchAsync(query, None);
        });
        Assert.Equal([lab], result.Matches.Select(m => m.Id));
    }

    [Fact]
    public async Task TheEnvelopeDecides_EvenWhenTheAccessChecksWouldAllow()
    {
        var (alice, _, aliceDoc, _) = await TwoPatientsAsync();

        // A context whose reach says yes but whose attributes the record's policy does not name.
        var status = await StatusOfAsync(async () =>
        {
            await using var scope = server.Factory.Services.CreateAsyncScope();
            var access = scope.ServiceProvider.GetRequiredService<AccessContext>();
            var caller = new Caller("confused-deputy", "app", ["user/*.rs"]);
            access.Authenticate(caller, new AccountReach(new HashSet<string> { alice }, new HashSet<string>(), new HashSet<string> { "role:physician" }));
            await scope.ServiceProvider.GetRequiredService<ResourceService>().ReadAsync("DocumentReference", aliceDoc, None);
        });

        Assert.Equal(HttpStatusCode.Forbidden, status);
    }

    [Fact]
    public async Task OneEnvelopePerRecord_NotPerResource()
    {
        var alice = await CreateAsync(TestData.Patient());
        for (var i = 0; i < 3; i++)
            await CreateAsync(TestData.Document("Patient/" + alice));

        var envelopes = await AsAsync(null, sp => sp.GetRequiredService<PhrDbContext>().Resources.AsNoTracking()
            .Where(r => r.Owner == alice).Select(r => r.EnvelopeId).Distinct().ToListAsync());

        Assert.Single(envelopes);
    }

    [Fact]
    public async Task BinaryJoinsTheRecordOfItsSecurityContext_EvenWhenListedFirstInATransaction()
    {
        var alice = await CreateAsync(TestData.Patient());
        var docId = TestData.Unique("doc");
        var binaryId = TestData.Unique("bin");
        var document = TestData.Document("Patient/" + alice);
        document.Id = docId;
        var bundle = new Bundle { Type = Bundle.BundleType.Transaction };
        bundle.Entry.Add(new Bundle.EntryComponent
        {
            Resource = new Binary { Id = binaryId, ContentType = "text/plain", Data = [1, 2], SecurityContext = new ResourceReference("DocumentReference/" + docId) },
            Request = new Bundle.RequestComponent { Method = Bundle.HTTPVerb.PUT, Url = "Binary/" + binaryId },
        });
        bundle.Entry.Add(new Bundle.EntryComponent
        {
            Resource = document,
            Request = new Bundle.RequestComponent { Method = Bundle.HTTPVerb.PUT, Url = "DocumentReference/" + docId },
        });
        await AsAsync(null, sp => sp.GetRequiredService<BundleProcessor>().ProcessAsync(bundle, ReturnPreference.Minimal, None));

        var everything = await AsAsync(PatientApp(alice), sp => sp.GetRequiredService<EverythingService>().EverythingAsync(alice, null, None));

        Assert.Equal(["Patient/" + alice, "Binary/" + binaryId, "DocumentReference/" + docId], everything.Select(r => r.ResourceType + "/" + r.Id));
    }
}
