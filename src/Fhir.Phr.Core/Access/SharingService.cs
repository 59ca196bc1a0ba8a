using System.Net;
using Fhir.Phr.Core.Errors;
using Fhir.Phr.Core.Keys;
using Fhir.Phr.Core.Resources;
using Fhir.Phr.Core.Storage;
using Hl7.Fhir.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Fhir.Phr.Core.Access;

/// <summary>
/// The owner's control over their record (architecture.md, "Sharing, revocation, break-glass"):
/// share it with an account, list who has access, revoke; and emergency access by an account
/// with the emergency role, which needs a reason, expires by itself and is recorded as an
/// AuditEvent in the patient's record, so the owner sees it. Both first re-wrap the record's
/// envelopes under the full policy (<see cref="RecordKeys.OpenToSharingAsync"/>), since a new
/// record's envelope names only its owner and the system.
/// </summary>
public sealed class SharingService(PhrDbContext db, AccessContext access, WriteGate gate, SharingStateCache cache, RecordKeys keys, IServiceScopeFactory scopes, TimeProvider time)
{
    public const string EmergencyRole = "emergency";
    public static readonly TimeSpan BreakGlassDuration = TimeSpan.FromHours(4);

    public async Task<AccessGrant> ShareAsync(string patientId, string grantee, bool canWrite, string? reason, CancellationToken cancellationToken)
    {
        await DemandOwnerAsync(patientId, cancellationToken);
        if (string.IsNullOrWhiteSpace(grantee))
            throw FhirProblem.BadRequest("Name the account to share with (parameter 'grantee').", "grantee");
        if (grantee == access.Subject)
            throw FhirProblem.BadRequest("An owner does not need to share their record with themself.", "grantee");
        var grant = new AccessGrant
        {
            PatientId = patientId,
            Grantee = grantee.Trim(),
            Kind = GrantKind.Share,
            CanWrite = canWrite,
            GrantedBy = access.Subject ?? "system",
            Reason = reason,
            GrantedAt = time.GetUtcNow().UtcDateTime,
        };
        await keys.OpenToSharingAsync(patientId, cancellationToken);
        await SaveAsync(grant, cancellationToken);
        return grant;
    }

    /// <summary>Every share and break-glass access of the record, newest first, revoked ones included.</summary>
    public async Task<IReadOnlyList<AccessGrant>> ListAsync(string patientId, CancellationToken cancellationToken)
    {
        await DemandOwnerAsync(patientId, cancellationToken);
        return await db.AccessGrants.AsNoTracking().Where(g => g.PatientId == patientId).OrderByDescending(g => g.Id).ToListAsync(cancellationToken);
    }

    /// <summary>
    /// Ends a grant at once and moves the record to a new key epoch, so that new writes use a
    /// new envelope; the caller then runs <see cref="RecordKeys.RewrapAsync"/> in the background.
    /// </summary>
    public async Task<AccessGrant> RevokeAsync(string patientId, long grantId, CancellationToken cancellationToken)
    {
        await DemandOwnerAsync(patientId, cancellationToken);
        using (await gate.EnterAsync(cancellationToken))
        {
            var grant = await db.AccessGrants.FirstOrDefaultAsync(g => g.Id == grantId && g.PatientId == patientId, cancellationToken)
                ?? throw FhirProblem.NotFound($"Patient/{patientId} has no grant {grantId}.");
            if (grant.RevokedAt is null)
            {
                grant.RevokedAt = time.GetUtcNow().UtcDateTime;
                var epoch = await db.RecordEpochs.FirstOrDefaultAsync(e => e.PatientId == patientId, cancellationToken);
                if (epoch is null)
                    db.RecordEpochs.Add(new RecordEpoch { PatientId = patientId, Epoch = 1, OldestLiveEpoch = 0 });
                else
                    epoch.Epoch++;
                await db.SaveChangesAsync(cancellationToken);
                // The revocation counts from the very next request: reach and write epochs are read again.
                cache.Invalidate();
            }
            db.ChangeTracker.Clear();
            return grant;
        }
    }

    /// <summary>Emergency access to a record by an account with the emergency role: audited, time-limited.</summary>
    public async Task<AccessGrant> BreakGlassAsync(string patientId, string? reason, CancellationToken cancellationToken)
    {
        var caller = access.Caller ?? throw FhirProblem.Of(HttpStatusCode.Forbidden, OperationOutcome.IssueType.Forbidden, "Break-glass access is for signed-in accounts with the emergency role.");
        if (!caller.Roles.Contains(EmergencyRole, StringComparer.Ordinal))
            throw FhirProblem.Of(HttpStatusCode.Forbidden, OperationOutcome.IssueType.Forbidden, "Break-glass access needs the emergency role.");
        if (string.IsNullOrWhiteSpace(reason) || reason.Trim().Length < 10)
            throw FhirProblem.BadRequest("Break-glass access needs a reason of at least 10 characters (parameter 'reason'); it is shown to the patient.", "reason");
        if (!await PatientExistsAsync(patientId, cancellationToken))
            throw FhirProblem.NotFound($"Patient/{patientId} is not known.");

        var now = time.GetUtcNow().UtcDateTime;
        // The audit record is written first: an access that could not be recorded is not granted.
        await RecordAuditAsync(patientId, caller, reason.Trim(), now, cancellationToken);
        var grant = new AccessGrant
        {
            PatientId = patientId,
            Grantee = caller.Subject,
            Kind = GrantKind.BreakGlass,
            CanWrite = false,
            GrantedBy = caller.Subject,
            Reason = reason.Trim(),
            GrantedAt = now,
            ExpiresAt = now + BreakGlassDuration,
        };
        await keys.OpenToSharingAsync(patientId, cancellationToken);
        await SaveAsync(grant, cancellationToken);
        return grant;
    }

    private async Task RecordAuditAsync(string patientId, Caller caller, string reason, DateTime now, CancellationToken cancellationToken)
    {
        // AuditEvent DICOM "Emergency Override Started" (DCM 110127); written by the host, not the caller.
        var audit = new AuditEvent
        {
            Type = new Coding("http://dicom.nema.org/resources/ontology/DCM", "110113", "Security Alert"),
            Subtype = [new Coding("http://dicom.nema.org/resources/ontology/DCM", "110127", "Emergency Override Started")],
            Action = AuditEvent.AuditEventAction.E,
            Recorded = new DateTimeOffset(now, TimeSpan.Zero),
            Outcome = AuditEvent.AuditEventOutcome.N0,
            PurposeOfEvent = [new CodeableConcept("http://terminology.hl7.org/CodeSystem/v3-ActReason", "ETREAT", "Emergency Treatment")],
            Agent =
            [
                new AuditEvent.AgentComponent
                {
                    // The owner reads this record: the account's name says who, its id which account.
                    Who = new ResourceReference { Identifier = new Identifier("urn:fhir-phr:account", caller.Subject), Display = caller.Name ?? caller.Subject },
                    Requestor = true,
                    PurposeOfUse = [new CodeableConcept("http://terminology.hl7.org/CodeSystem/v3-ActReason", "ETREAT") { Text = reason }],
                },
            ],
            Source = new AuditEvent.SourceComponent { Observer = new ResourceReference { Display = "Fhir.Phr" } },
            Entity = [new AuditEvent.EntityComponent { What = new ResourceReference("Patient/" + patientId), Description = reason }],
        };
        await using var scope = scopes.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<ResourceService>().CreateAsync(audit, cancellationToken);
    }

    /// <summary>Only the record's owner (or the system) manages its shares: 403 for others, 404 for an unknown record.</summary>
    public async Task DemandOwnerAsync(string patientId, CancellationToken cancellationToken)
    {
        var system = access.IsOpen || access.Reach(AccessAction.Update, "Patient") is null;
        if (!system && access.Caller?.OwnPatient != patientId)
            throw FhirProblem.Of(HttpStatusCode.Forbidden, OperationOutcome.IssueType.Forbidden, $"Only the owner of Patient/{patientId} manages who may see it.");
        if (!await PatientExistsAsync(patientId, cancellationToken))
            throw FhirProblem.NotFound($"Patient/{patientId} is not known.");
    }

    private Task<bool> PatientExistsAsync(string patientId, CancellationToken cancellationToken) =>
        db.Resources.AnyAsync(r => r.ResourceType == "Patient" && r.ResourceId == patientId && r.SupersededAt == null && !r.IsDeleted, cancellationToken);

    private async Task SaveAsync(AccessGrant grant, CancellationToken cancellationToken)
    {
        using (await gate.EnterAsync(cancellationToken))
        {
            db.AccessGrants.Add(grant);
            await db.SaveChangesAsync(cancellationToken);
            cache.Invalidate();
            db.Entry(grant).State = EntityState.Detached;
        }
    }
}
