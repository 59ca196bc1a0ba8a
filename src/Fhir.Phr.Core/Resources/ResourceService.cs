using System.Net;
using Fhir.Phr.Core.Access;
using Fhir.Phr.Core.Errors;
using Fhir.Phr.Core.Keys;
using Fhir.Phr.Core.Search;
using Fhir.Phr.Core.Serialization;
using Fhir.Phr.Core.Storage;
using Fhir.Phr.Core.Validation;
using Fhir.Phr.Protection;
using Hl7.Fhir.Model;
using Microsoft.EntityFrameworkCore;

namespace Fhir.Phr.Core.Resources;

/// <summary>A stored version as the REST layer returns it: metadata plus the decrypted JSON.</summary>
public sealed record StoredResource(string ResourceType, string Id, int Version, DateTime LastUpdated, bool IsDeleted, string Method, byte[] Json)
{
    public string ETag => $"W/\"{Version}\"";

    public Resource ToPoco() => FhirFormats.ParseJson(Json);
}

public sealed record HistoryQuery(string? ResourceType, string? Id)
{
    public DateTime? Since { get; init; }

    public DateTime? At { get; init; }

    public DateTime? Snapshot { get; init; }

    public int Count { get; init; } = 20;

    public int Offset { get; init; }
}

public sealed record HistoryPage(IReadOnlyList<StoredResource> Entries, int Total, bool HasNext, DateTime Snapshot);

/// <summary>The result of a write: what is stored now, and whether it was created.</summary>
public sealed record WriteOutcome(StoredResource Resource, bool Created, OperationOutcome? Warnings = null);

/// <summary>
/// The FHIR interactions on one resource type (R4 http.html): read, vread, create, update,
/// delete and history, over the versioned, protected store. Search lives in
/// <see cref="SearchService"/>; both run inside the caller's transaction when there is one.
/// </summary>
public sealed class ResourceService(
    PhrDbContext db,
    PayloadProtector protector,
    RecordKeys keys,
    SearchIndexer indexer,
    IndexProtection indexProtection,
    ProfileValidator validator,
    SearchParameterRegistry registry,
    AccessContext access,
    AccessFilter accessFilter,
    WriteGate gate,
    IndexWriter indexWriter,
    TimeProvider time)
{
    // Payloads stored in the clear for the protection-off benchmark carry no envelope.
    private static readonly byte[] NoKey = new byte[KeyEnvelope.DataKeyLength];

    private readonly Dictionary<Resource, OperationOutcome> _validated = new(ReferenceEqualityComparer.Instance);

    /// <summary>
    /// Validates resources ahead of their writes, in parallel (the validator is thread-safe once
    /// warm), so that a transaction does not validate while it holds the write gate. Each must be
    /// in its final form (id set, references rewritten); its write then uses this outcome. Throws
    /// the 422 of the first failing resource in the given order.
    /// </summary>
    public void ValidateAhead(IReadOnlyList<Resource> ordered, Func<int, FhirProblem, FhirProblem> describe)
    {
        ArgumentNullException.ThrowIfNull(ordered);
        ArgumentNullException.ThrowIfNull(describe);
        var outcomes = new OperationOutcome[ordered.Count];
        Parallel.For(0, ordered.Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, i => outcomes[i] = validator.Validate(ordered[i]));
        for (var i = 0; i < ordered.Count; i++)
        {
            if (ProfileValidator.HasErrors(outcomes[i]))
                throw describe(i, FhirProblem.Unprocessable(outcomes[i]));
            _validated[ordered[i]] = outcomes[i];
        }
    }

    public void EnsureSupported(string type)
    {
        if (!registry.IsSupportedType(type))
        {
            throw FhirProblem.Of(
                HttpStatusCode.NotFound,
                OperationOutcome.IssueType.NotSupported,
                ModelInfo.IsKnownResource(type)
                    ? $"This server does not store {type} resources; it stores {string.Join(", ", SearchParameterRegistry.SupportedTypes)}."
                    : $"'{type}' is not a FHIR R4 resource type.");
        }
    }

    /// <summary>Seals the envelopes of new patient records before the write gate (<see cref="RecordKeys.SealAhead"/>); nothing when protection is off.</summary>
    public void SealAhead(IReadOnlyCollection<string> newPatients)
    {
        if (!protector.IsDisabled)
            keys.SealAhead(newPatients);
    }

    /// <summary>Whether the type is stored here and some granted scope allows creating it.</summary>
    public bool CanCreate(string type) => registry.IsSupportedType(type) && access.Allows(AccessAction.Create, type);

    public async Task<StoredResource> ReadAsync(string type, string id, CancellationToken cancellationToken)
    {
        EnsureSupported(type);
        access.Demand(AccessAction.Read, type);
        var row = await FindCurrentAsync(type, id, cancellationToken);
        if (row is null || !await accessFilter.AllowsAsync(row, AccessAction.Read, cancellationToken))
            throw FhirProblem.NotFound($"{type}/{id} is not known.");
        if (row.IsDeleted)
            throw FhirProblem.Gone($"{type}/{id} was deleted (version {row.Version}).");
        return Open(row);
    }

    public async Task<StoredResource> VReadAsync(string type, string id, int version, CancellationToken cancellationToken)
    {
        EnsureSupported(type);
        access.Demand(AccessAction.Read, type);
        var row = await db.Resources.AsNoTracking()
            .FirstOrDefaultAsync(r => r.ResourceType == type && r.ResourceId == id && r.Version == version, cancellationToken);
        if (row is null)
        {
            var exists = await accessFilter.Apply(db.Resources.Where(r => r.ResourceType == type && r.ResourceId == id), AccessAction.Read, type).AnyAsync(cancellationToken);
            throw FhirProblem.NotFound(exists ? $"{type}/{id} has no version {version}." : $"{type}/{id} is not known.");
        }
        if (!await accessFilter.AllowsAsync(row, AccessAction.Read, cancellationToken))
            throw FhirProblem.NotFound($"{type}/{id} is not known.");
        if (row.IsDeleted)
            throw FhirProblem.Gone($"{type}/{id}/_history/{version} is a deletion.");
        return Open(row);
    }

    /// <summary>The current version's row (deleted or not), untracked and not decrypted; null when never written.</summary>
    public Task<ResourceVersion?> FindCurrentAsync(string type, string id, CancellationToken cancellationToken) =>
        CurrentUntracked.GetValue(db.Model, static _ => EF.CompileAsyncQuery((PhrDbContext db, string type, string id, CancellationToken cancellationToken) =>
            db.Resources.AsNoTracking()
                .Where(r => r.ResourceType == type && r.ResourceId == id && r.SupersededAt == null)
                .OrderByDescending(r => r.Version)
                .FirstOrDefault()))(db, type, id, cancellationToken);

    // The query of Current, untracked. Reads are the commonest request and a third of EF Core's share of one went into translating
    // the same query again (funcletizing, cache lookup). A compiled query skips that, but EF Core
    // binds it to the first model it runs against, and a process may hold several (one per
    // provider, one per test host), so there is one compiled query per model.
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<Microsoft.EntityFrameworkCore.Metadata.IModel,
        Func<PhrDbContext, string, string, CancellationToken, Task<ResourceVersion?>>> CurrentUntracked = new();

    public Task<WriteOutcome> CreateAsync(Resource resource, CancellationToken cancellationToken) =>
        CreateAsync(resource, Guid.NewGuid().ToString("N"), cancellationToken);

    /// <summary>Creates with a given id (server-assigned or resolved from a transaction's urn:uuid).</summary>
    public async Task<WriteOutcome> CreateAsync(Resource resource, string id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(resource);
        EnsureSupported(resource.TypeName);
        access.Demand(AccessAction.Create, resource.TypeName);
        resource.Id = id;
        var warnings = Validate(resource);
        var stored = await WriteAsync(resource, previous: null, "POST", cancellationToken);
        return new WriteOutcome(stored, true, warnings);
    }

    /// <summary>
    /// Update, or create with the client's id when none exists (http.html#upsert). A stale
    /// <paramref name="ifMatchVersion"/> gives 412 (http.html#concurrency).
    /// </summary>
    public async Task<WriteOutcome> UpdateAsync(Resource resource, string id, int? ifMatchVersion, CancellationToken cancellationToken, string method = "PUT")
    {
        ArgumentNullException.ThrowIfNull(resource);
        var type = resource.TypeName;
        EnsureSupported(type);
        if (resource.Id is not null && resource.Id != id)
            throw FhirProblem.BadRequest($"The resource id '{resource.Id}' does not match the id '{id}' in the URL.", "Resource.id");
        if (!IsValidId(id))
            throw FhirProblem.BadRequest($"'{id}' is not a valid FHIR id (1-64 of A-Z a-z 0-9 - .).", "Resource.id");
        resource.Id = id;

        var previous = await Current(type, id).FirstOrDefaultAsync(cancellationToken);
        var action = previous is null || previous.IsDeleted ? AccessAction.Create : AccessAction.Update;
        access.Demand(action, type);
        if (previous is not null)
            await DemandExistingAsync(previous, action, cancellationToken);
        if (ifMatchVersion is { } expected && (previous is null || previous.Version != expected))
            throw FhirProblem.PreconditionFailed(previous is null
                ? $"If-Match W/\"{expected}\" was given but {type}/{id} does not exist."
                : $"If-Match W/\"{expected}\" does not match the current version {previous.Version} of {type}/{id}.");

        var warnings = Validate(resource);
        var stored = await WriteAsync(resource, previous, method, cancellationToken);
        return new WriteOutcome(stored, previous is null || previous.IsDeleted, warnings);
    }

    /// <summary>Deletes (a versioned tombstone, http.html#delete). Deleting what is absent or deleted succeeds.</summary>
    public async Task<StoredResource?> DeleteAsync(string type, string id, int? ifMatchVersion, CancellationToken cancellationToken)
    {
        EnsureSupported(type);
        access.Demand(AccessAction.Delete, type);
        DemandNotAudit(type, AccessAction.Delete);
        var previous = await Current(type, id).FirstOrDefaultAsync(cancellationToken);
        if (previous is not null)
            await DemandExistingAsync(previous, AccessAction.Delete, cancellationToken);
        if (ifMatchVersion is { } expected && (previous is null || previous.Version != expected))
            throw FhirProblem.PreconditionFailed($"If-Match W/\"{expected}\" does not match the current version of {type}/{id}.");
        if (previous is null || previous.IsDeleted)
            return null;

        var now = NextTimestamp(previous);
        previous.SupersededAt = now;
        var tombstone = new ResourceVersion
        {
            ResourceType = type,
            ResourceId = id,
            Version = previous.Version + 1,
            LastUpdated = now,
            IsDeleted = true,
            Method = "DELETE",
            Owner = previous.Owner,
        };
        db.Resources.Add(tombstone);
        await SaveAsync(type, id, cancellationToken);
        return new StoredResource(type, id, tombstone.Version, now, true, "DELETE", []);
    }

    /// <summary>
    /// Instance, type or system history (http.html#history), newest first. <paramref name="snapshot"/>
    /// fixes what the pages show, so that writes during paging do not shift them.
    /// </summary>
    public async Task<HistoryPage> HistoryAsync(HistoryQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        // Instance history reads one resource ('r'); type and system history list resources as a search does ('s').
        var action = query.Id is null ? AccessAction.Search : AccessAction.Read;
        IReadOnlyList<string> types;
        if (query.ResourceType is { } type)
        {
            EnsureSupported(type);
            access.Demand(action, type);
            types = [type];
        }
        else
        {
            types = SearchParameterRegistry.SupportedTypes.Where(t => access.Allows(action, t)).ToList();
            if (types.Count == 0)
                access.Demand(action, SearchParameterRegistry.SupportedTypes[0]);
        }
        var snapshot = query.Snapshot ?? time.GetUtcNow().UtcDateTime;
        var rows = db.Resources.AsNoTracking().Where(r => r.LastUpdated <= snapshot && types.Contains(r.ResourceType));
        rows = accessFilter.Apply(rows, action, types);
        if (query.Id is { } id)
        {
            rows = rows.Where(r => r.ResourceId == id);
            if (!await rows.AnyAsync(cancellationToken))
                throw FhirProblem.NotFound($"{query.ResourceType}/{id} is not known.");
        }
        if (query.Since is { } since)
            rows = rows.Where(r => r.LastUpdated >= since);
        if (query.At is { } at)
            rows = rows.Where(r => r.LastUpdated <= at && (r.SupersededAt == null || r.SupersededAt > at));
        var total = await rows.CountAsync(cancellationToken);
        var page = await rows.OrderByDescending(r => r.LastUpdated).ThenByDescending(r => r.Id)
            .Skip(query.Offset).Take(query.Count).ToListAsync(cancellationToken);
        return new HistoryPage(page.Select(Open).ToList(), total, query.Offset + page.Count < total, snapshot);
    }

    // The audit trail is the server's: accounts read their AuditEvents, only system access writes them.
    private void DemandNotAudit(string type, AccessAction action)
    {
        if (type == "AuditEvent" && access.Reach(action, type) is not null)
            throw FhirProblem.Of(HttpStatusCode.Forbidden, OperationOutcome.IssueType.Forbidden, "AuditEvents are recorded by the server; accounts may read them but not write them.");
    }

    // An existing resource the caller cannot see is reported as absent (404), one they can see but
    // not change as forbidden (403): see docs/decisions.md, "Out of reach is 404".
    private async Task DemandExistingAsync(ResourceVersion existing, AccessAction action, CancellationToken cancellationToken)
    {
        if (await accessFilter.AllowsAsync(existing, action, cancellationToken))
            return;
        if (existing.IsDeleted || !await accessFilter.AllowsAsync(existing, AccessAction.Read, cancellationToken))
            throw FhirProblem.NotFound($"{existing.ResourceType}/{existing.ResourceId} is not known.");
        throw FhirProblem.Of(HttpStatusCode.Forbidden, OperationOutcome.IssueType.Forbidden,
            $"The granted access does not allow {action.ToString().ToLowerInvariant()} on {existing.ResourceType}/{existing.ResourceId}.");
    }

    /// <summary>
    /// The Patient whose record the resource belongs to: itself, the patient its subject/patient
    /// reference names (the Patient compartment's parameters), or for a Binary the owner of its
    /// securityContext. Null when it names none.
    /// </summary>
    private async Task<string?> OwnerOfAsync(Resource resource, IReadOnlyList<IndexValue> values, CancellationToken cancellationToken)
    {
        if (resource is Patient)
            return resource.Id;
        if (resource is Binary binary)
        {
            var (refType, refId) = RecordOwner.ParseReference(binary.SecurityContext?.Reference);
            if (refType is null || refId is null)
                return null;
            if (refType == "Patient")
                return refId;
            return await db.Resources.AsNoTracking()
                .Where(r => r.ResourceType == refType && r.ResourceId == refId && r.SupersededAt == null)
                .Select(r => r.Owner).FirstOrDefaultAsync(cancellationToken);
        }
        return RecordOwner.FromIndex(values);
    }

    private OperationOutcome? Validate(Resource resource)
    {
        if (!_validated.Remove(resource, out var outcome))
            outcome = validator.Validate(resource);
        if (ProfileValidator.HasErrors(outcome))
            throw FhirProblem.Unprocessable(outcome);
        return outcome.Issue.Count > 0 ? outcome : null;
    }

    private async Task<StoredResource> WriteAsync(Resource resource, ResourceVersion? previous, string method, CancellationToken cancellationToken)
    {
        var type = resource.TypeName;
        var id = resource.Id ?? throw new InvalidOperationException("A resource is written with its id set.");
        var now = NextTimestamp(previous);
        var version = (previous?.Version ?? 0) + 1;
        resource.Meta ??= new Meta();
        resource.Meta.VersionId = version.ToString(System.Globalization.CultureInfo.InvariantCulture);
        resource.Meta.LastUpdated = new DateTimeOffset(now, TimeSpan.Zero);

        var json = FhirFormats.SerializeJson(resource);
        var values = indexer.Extract(resource).ToList();
        var owner = await OwnerOfAsync(resource, values, cancellationToken);
        var writeAction = previous is null || previous.IsDeleted ? AccessAction.Create : AccessAction.Update;
        DemandNotAudit(type, writeAction);
        if (!access.Allows(writeAction, type, owner))
        {
            throw FhirProblem.Of(HttpStatusCode.Forbidden, OperationOutcome.IssueType.Forbidden, owner is null
                ? $"This {type} belongs to no patient record, which only system access may write."
                : $"This {type} belongs to a patient record that the granted access does not reach.");
        }
        var (envelopeId, dataKey) = protector.IsDisabled ? (0L, NoKey) : await keys.ForWriteAsync(owner, cancellationToken);
        var row = new ResourceVersion
        {
            ResourceType = type,
            ResourceId = id,
            Version = version,
            LastUpdated = now,
            Method = method,
            Owner = owner,
            EnvelopeId = protector.IsDisabled ? null : envelopeId,
            Payload = protector.Protect(new PayloadContext(type, id, version, envelopeId), dataKey, json),
        };
        var entries = values.SelectMany(value => indexProtection.ToEntries(value, blind: true)).ToList();
        if (previous is not null)
            previous.SupersededAt = now;
        db.Resources.Add(row);
        await SaveAsync(type, id, cancellationToken, async () => await indexWriter.InsertAsync(db, row.Id, entries, cancellationToken));
        return new StoredResource(type, id, version, now, false, method, json);
    }

    /// <summary>
    /// Saves the tracked version rows and then runs <paramref name="afterSave"/> (index rows, which
    /// need the new row's id) in the same transaction: the caller's, or one of its own.
    /// </summary>
    private async Task SaveAsync(string type, string id, CancellationToken cancellationToken, Func<Task>? afterSave = null)
    {
        try
        {
            if (db.Database.CurrentTransaction is not null)
            {
                // Inside a transaction the caller already holds the gate for its whole length.
                await db.SaveChangesAsync(cancellationToken);
                if (afterSave is not null)
                    await afterSave();
            }
            else
            {
                using var lease = await gate.EnterAsync(cancellationToken);
                var strategy = db.Database.CreateExecutionStrategy();
                await strategy.ExecuteAsync(async () =>
                {
                    await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
                    await db.SaveChangesAsync(cancellationToken);
                    if (afterSave is not null)
                        await afterSave();
                    await transaction.CommitAsync(cancellationToken);
                });
            }
            // Nothing is read back from tracked entities; clearing keeps long transactions linear.
            db.ChangeTracker.Clear();
        }
        catch (DbUpdateException)
        {
            // The unique (type, id, version) index decides races: another writer took this version.
            db.ChangeTracker.Clear();
            throw FhirProblem.Of(HttpStatusCode.Conflict, OperationOutcome.IssueType.Conflict,
                $"{type}/{id} was changed by another request at the same time; read it again and retry (http.html#concurrency).");
        }
    }

    // lastUpdated never goes backwards within a resource, even if the clock does.
    private DateTime NextTimestamp(ResourceVersion? previous)
    {
        var now = time.GetUtcNow().UtcDateTime;
        if (previous is not null && now <= previous.LastUpdated)
            now = previous.LastUpdated.AddTicks(10);
        return now;
    }

    // Newest version first: the current version is the newest, so the scan of the (type, id,
    // version) index stops at its first row; in index order it visited every version's row to
    // test SupersededAt (10,000 for a record updated 10,000 times, ten times a create's cost).
    internal IQueryable<ResourceVersion> Current(string type, string id) =>
        db.Resources.Where(r => r.ResourceType == type && r.ResourceId == id && r.SupersededAt == null).OrderByDescending(r => r.Version);

    public StoredResource Open(ResourceVersion row)
    {
        ArgumentNullException.ThrowIfNull(row);
        var json = row.IsDeleted ? [] : protector.Unprotect(
            new PayloadContext(row.ResourceType, row.ResourceId, row.Version, row.EnvelopeId ?? 0),
            row.EnvelopeId is null ? NoKey : keys.ForRead(row),
            row.Payload);
        return new StoredResource(row.ResourceType, row.ResourceId, row.Version, DateTime.SpecifyKind(row.LastUpdated, DateTimeKind.Utc), row.IsDeleted, row.Method, json);
    }

    public static bool IsValidId(string id) =>
        id.Length is >= 1 and <= 64 && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.');
}
