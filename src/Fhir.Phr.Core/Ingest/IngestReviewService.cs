using System.Net;
using Fhir.Phr.Core.Access;
using Fhir.Phr.Core.Bundles;
using Fhir.Phr.Core.Errors;
using Fhir.Phr.Core.Resources;
using Fhir.Phr.Core.Storage;
using Hl7.Fhir.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Fhir.Phr.Core.Ingest;

/// <summary>A held item with its resources, decrypted for the reviewer.</summary>
public sealed record ReviewDetails(IngestReviewItem Item, IReadOnlyList<Resource> Held);

/// <summary>
/// The review queue of `$ingest` (issue #5): items whose patient the matcher could not decide wait here until a person
/// accepts them (stored with a new patient), links them to a chosen patient, or rejects them with a reason. Every decision
/// is recorded as an AuditEvent — in the patient's record when the item was stored, so the owner sees what was added.
/// The held resources are encrypted under the system policy, so only system access (the host, or <c>system/</c> scopes)
/// opens them; the queue asks for the same.
/// </summary>
public sealed class IngestReviewService(
    PhrDbContext db,
    AccessContext access,
    ResourceService resources,
    BundleProcessor bundles,
    WriteGate gate,
    IServiceScopeFactory scopes,
    IngestSecrets secrets,
    TimeProvider time)
{
    public const int MaxCount = 500;

    private const string DecisionSystem = "urn:fhir-phr:ingest-review";

    /// <summary>Items of a status (all when null), oldest first.</summary>
    public async Task<IReadOnlyList<IngestReviewItem>> ListAsync(ReviewStatus? status, int count, CancellationToken cancellationToken)
    {
        DemandReviewer();
        var query = db.IngestReviewItems.AsNoTracking();
        if (status is { } wanted)
            query = query.Where(r => r.Status == wanted);
        var items = await query.OrderBy(r => r.CreatedAt).ThenBy(r => r.Id).Take(Math.Clamp(count, 1, MaxCount)).ToListAsync(cancellationToken);
        items.ForEach(OpenReason);
        return items;
    }

    public async Task<ReviewDetails> GetAsync(Guid id, CancellationToken cancellationToken)
    {
        DemandReviewer();
        var item = await FindAsync(id, cancellationToken);
        return new ReviewDetails(item, await HeldAsync(item, cancellationToken));
    }

    /// <summary>Stores the item with a new patient (a patient with the same first identifier is still found, as in the job).</summary>
    public Task<IngestReviewItem> AcceptAsync(Guid id, string? reason, CancellationToken cancellationToken) =>
        DecideAsync(id, ReviewStatus.Accepted, null, reason, cancellationToken);

    /// <summary>
    /// Stores the item with <paramref name="patientId"/> as its (first) patient, which the caller must be able to read; the
    /// patient gains the item's identifiers of systems it has none of, as with an automatic link.
    /// </summary>
    public async Task<IngestReviewItem> LinkAsync(Guid id, string? patientId, string? reason, CancellationToken cancellationToken)
    {
        DemandReviewer();
        if (string.IsNullOrWhiteSpace(patientId) || !ResourceService.IsValidId(patientId))
            throw FhirProblem.BadRequest("Name the patient to link to (parameter 'patient', a reference such as Patient/123).", "patient");
        // 404 for a patient the caller cannot see, as for a read.
        var stored = await resources.ReadAsync("Patient", patientId, cancellationToken);
        return await DecideAsync(id, ReviewStatus.Linked, new ItemTransaction.Link(stored.Id, stored.Version, (Patient)stored.ToPoco()), reason, cancellationToken);
    }

    /// <summary>Stores nothing; the held resources stay encrypted where they are, with the reason on the item.</summary>
    public Task<IngestReviewItem> RejectAsync(Guid id, string? reason, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(reason))
            throw FhirProblem.BadRequest("Rejecting an item needs a reason (parameter 'reason').", "reason");
        return DecideAsync(id, ReviewStatus.Rejected, null, reason, cancellationToken);
    }

    private async Task<IngestReviewItem> DecideAsync(Guid id, ReviewStatus decision, ItemTransaction.Link? linkTo, string? reason, CancellationToken cancellationToken)
    {
        DemandReviewer();
        reason = string.IsNullOrWhiteSpace(reason) ? null : reason.Trim();
        if (reason?.Length > 1024)
            throw FhirProblem.BadRequest("The reason is longer than 1024 characters.", "reason");
        var item = await FindAsync(id, cancellationToken);
        var held = await HeldAsync(item, cancellationToken);
        var who = access.Subject ?? "system";
        var now = time.GetUtcNow().UtcDateTime;

        // The item is claimed first (only a pending one can be), so two reviewers deciding at once cannot both store it.
        using (await gate.EnterAsync(cancellationToken))
        {
            var claimed = await db.IngestReviewItems.Where(r => r.Id == id && r.Status == ReviewStatus.Pending).ExecuteUpdateAsync(set => set
                .SetProperty(r => r.Status, decision)
                .SetProperty(r => r.DecidedBy, who)
                .SetProperty(r => r.DecidedAt, now)
                .SetProperty(r => r.Reason, secrets.Seal(reason, ReasonColumn, id.ToString("N"))), cancellationToken);
            if (claimed == 0)
                throw FhirProblem.Conflict($"Review item {id} was already decided.");
        }

        string? patientId = null;
        if (decision != ReviewStatus.Rejected)
        {
            try
            {
                patientId = await StoreAsync(item, held, linkTo, cancellationToken);
            }
            catch (FhirProblem)
            {
                // Nothing was stored (one transaction), so the item waits again for a decision that can be carried out.
                using (await gate.EnterAsync(cancellationToken))
                {
                    await db.IngestReviewItems.Where(r => r.Id == id).ExecuteUpdateAsync(set => set
                        .SetProperty(r => r.Status, ReviewStatus.Pending)
                        .SetProperty(r => r.DecidedBy, (string?)null)
                        .SetProperty(r => r.DecidedAt, (DateTime?)null)
                        .SetProperty(r => r.Reason, (string?)null), CancellationToken.None);
                }
                throw;
            }
            using (await gate.EnterAsync(cancellationToken))
                await db.IngestReviewItems.Where(r => r.Id == id).ExecuteUpdateAsync(set => set.SetProperty(r => r.PatientId, patientId), cancellationToken);
        }

        await RecordAuditAsync(item, decision, patientId, who, reason, now, cancellationToken);
        item.Status = decision;
        item.DecidedBy = who;
        item.DecidedAt = now;
        item.Reason = reason;
        item.PatientId = patientId;
        return item;
    }

    // The held resources go in as the job would have stored them, with the chosen patient in place of the first incoming one.
    private async Task<string?> StoreAsync(IngestReviewItem item, IReadOnlyList<Resource> held, ItemTransaction.Link? linkTo, CancellationToken cancellationToken)
    {
        if (linkTo is null && IngestService.NeedsPatient(held))
            throw FhirProblem.BadRequest($"Review item {item.Id} names no patient, so it cannot be accepted as a new one: link it to a patient ($link).");
        var linked = new Dictionary<Patient, ItemTransaction.Link>(ReferenceEqualityComparer.Instance);
        if (linkTo is not null && held.OfType<Patient>().FirstOrDefault() is { } first)
            linked[first] = linkTo;
        // A document that named nobody belongs to the patient the reviewer chose.
        foreach (var document in held.OfType<DocumentReference>().Where(d => d.Subject is null && linkTo is not null))
            document.Subject = new ResourceReference("Patient/" + linkTo!.Id);
        var response = await bundles.ProcessAsync(ItemTransaction.Build(held, item.JobId, linked), ReturnPreference.Minimal, cancellationToken);
        return linkTo?.Id ?? response.Entry
            .Select(e => RecordOwner.ParseReference(e.Response?.Location))
            .FirstOrDefault(r => r.Type == "Patient").Id;
    }

    private async Task<IngestReviewItem> FindAsync(Guid id, CancellationToken cancellationToken)
    {
        var item = await db.IngestReviewItems.AsNoTracking().FirstOrDefaultAsync(r => r.Id == id, cancellationToken)
            ?? throw FhirProblem.NotFound($"No review item {id}.");
        OpenReason(item);
        return item;
    }

    // A reviewer's words may name the patient, so the reason is stored encrypted (see IngestSecrets).
    private const string ReasonColumn = "ingest_review_items.reason";

    private void OpenReason(IngestReviewItem item) => item.Reason = secrets.Open(item.Reason, ReasonColumn, item.Id.ToString("N"));

    private async Task<IReadOnlyList<Resource>> HeldAsync(IngestReviewItem item, CancellationToken cancellationToken)
    {
        var binary = (Binary)(await resources.ReadAsync("Binary", item.HeldBinaryId, cancellationToken)).ToPoco();
        var bundle = (Bundle)Serialization.FhirFormats.ParseJson(binary.Data ?? []);
        return bundle.Entry.Select(e => e.Resource).OfType<Resource>().ToList();
    }

    // Held items are encrypted for the system role, and a decision writes into any patient's record: both need what system
    // scopes give (the whole store), so the queue asks for exactly that rather than a role that could not open the items.
    private void DemandReviewer()
    {
        if (access.Reach(AccessAction.Read, "Binary") is null
            && access.Reach(AccessAction.Read, "Patient") is null
            && access.Reach(AccessAction.Create, "Patient") is null)
        {
            return;
        }
        throw FhirProblem.Of(HttpStatusCode.Forbidden, OperationOutcome.IssueType.Forbidden,
            "The $ingest review queue needs system access (system/ scopes that read Binary and Patient and create Patient).");
    }

    private async Task RecordAuditAsync(IngestReviewItem item, ReviewStatus decision, string? patientId, string who, string? reason, DateTime now, CancellationToken cancellationToken)
    {
        var (code, display, action) = decision switch
        {
            ReviewStatus.Accepted => ("accept", "Accepted as a new patient", AuditEvent.AuditEventAction.C),
            ReviewStatus.Linked => ("link", "Linked to a chosen patient", AuditEvent.AuditEventAction.U),
            _ => ("reject", "Rejected", AuditEvent.AuditEventAction.E),
        };
        var audit = new AuditEvent
        {
            // DICOM "Patient Record" (DCM 110110): an import was attached to a record, or refused.
            Type = new Coding("http://dicom.nema.org/resources/ontology/DCM", "110110", "Patient Record"),
            Subtype = [new Coding(DecisionSystem, code, display)],
            Action = action,
            Recorded = new DateTimeOffset(now, TimeSpan.Zero),
            Outcome = AuditEvent.AuditEventOutcome.N0,
            Agent =
            [
                new AuditEvent.AgentComponent
                {
                    Who = new ResourceReference { Identifier = new Identifier("urn:fhir-phr:account", who), Display = access.Caller?.Name ?? who },
                    Requestor = true,
                },
            ],
            Source = new AuditEvent.SourceComponent { Observer = new ResourceReference { Display = "Fhir.Phr" } },
        };
        // Naming the patient first puts the event in that patient's record (the owner sees what was added to it).
        if (patientId is not null)
            audit.Entity.Add(new AuditEvent.EntityComponent { What = new ResourceReference("Patient/" + patientId), Description = reason });
        audit.Entity.Add(new AuditEvent.EntityComponent
        {
            What = new ResourceReference("Binary/" + item.HeldBinaryId),
            Description = $"$ingest review item {item.Id} ({item.Position} of job {item.JobId})" + (patientId is null && reason is not null ? $": {reason}" : ""),
        });
        // The audit trail is written by the server, whatever the reviewer's scopes say about AuditEvent.
        await using var scope = scopes.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<ResourceService>().CreateAsync(audit, cancellationToken);
    }
}
