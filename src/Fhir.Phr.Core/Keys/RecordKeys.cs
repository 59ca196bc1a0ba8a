using System.Collections.Concurrent;
using System.Net;
using Fhir.Phr.Core.Access;
using Fhir.Phr.Core.Errors;
using Fhir.Phr.Core.Storage;
using Fhir.Phr.Protection;
using Hl7.Fhir.Model;
using Microsoft.EntityFrameworkCore;

namespace Fhir.Phr.Core.Keys;

/// <summary>
/// Data keys of patient records, in memory for the process: envelopes opened per attribute set
/// (one FAME decryption the first time a key with those attributes meets an envelope, nothing
/// afterwards) and the write envelope of each record's current epoch.
/// </summary>
public sealed class RecordKeyCache
{
    private const int MaxEntries = 200_000;

    // An envelope is about a kilobyte; this bounds the envelope cache near 20 MB.
    private const int MaxEnvelopes = 20_000;

    /// <summary>Data keys by (attribute set, envelope id, fingerprint of the sealed bytes): a re-wrapped or different envelope misses.</summary>
    internal ConcurrentDictionary<(string Attributes, long Envelope, string Sealed), byte[]> Opened { get; } = new();

    internal ConcurrentDictionary<(string Owner, int Epoch), (long Id, byte[] DataKey)> Writable { get; } = new();

    /// <summary>Sealed envelopes by id, with their fingerprint: reads stop loading the envelope row of every resource they open.</summary>
    internal ConcurrentDictionary<long, (byte[] Sealed, string Fingerprint)> Envelopes { get; } = new();

    internal static void Bound<TKey, TValue>(ConcurrentDictionary<TKey, TValue> cache)
        where TKey : notnull
    {
        if (cache.Count >= MaxEntries)
            cache.Clear();
    }

    internal (byte[] Sealed, string Fingerprint) RememberEnvelope(long id, byte[] sealedEnvelope)
    {
        if (Envelopes.Count >= MaxEnvelopes)
            Envelopes.Clear();
        var entry = (sealedEnvelope, Fingerprint(sealedEnvelope));
        Envelopes[id] = entry;
        return entry;
    }

    internal static string Fingerprint(byte[] sealedEnvelope) => Convert.ToBase64String(System.Security.Cryptography.SHA256.HashData(sealedEnvelope), 0, 16);
}

/// <summary>
/// Where payload keys come from: the record's CP-ABE envelope (architecture.md, "Protection").
/// Writes use the envelope of the record's current epoch, made on first use; reads open the
/// row's envelope with the caller's attribute key, so a caller whose attributes do not satisfy
/// the record's policy cannot decrypt it, whatever the server's access checks said.
/// </summary>
public sealed class RecordKeys(PhrDbContext db, AccessContext access, KeyAuthority authority, RecordKeyCache cache, SharingStateCache sharing, WriteGate gate, TimeProvider time)
{
    private readonly Dictionary<(string Owner, int Epoch), (long Id, byte[] DataKey)> _madeHere = [];
    private readonly Dictionary<(string Owner, int Epoch), (long Id, byte[] DataKey, byte[] Sealed)> _uncommitted = [];
    private readonly Dictionary<(string Owner, int Epoch), (byte[] Sealed, byte[] DataKey)> _sealedAhead = [];
    private string? _attributesId;

    /// <summary>
    /// Seals the first-epoch envelopes of records about to be created (patients with fresh,
    /// server-assigned ids), in parallel and before the caller takes the write gate: one FAME
    /// encryption per record is the largest cost of creating a patient, and inside a transaction
    /// it would otherwise run while every other writer waits. <see cref="ForWriteAsync"/> uses
    /// them when it would seal one of these envelopes itself; unused ones are dropped.
    /// </summary>
    public void SealAhead(IReadOnlyCollection<string> newOwners)
    {
        ArgumentNullException.ThrowIfNull(newOwners);
        var owners = newOwners.Distinct(StringComparer.Ordinal).Where(o => !_sealedAhead.ContainsKey((o, 0))).ToList();
        var sealedEnvelopes = new (byte[] Sealed, byte[] DataKey)[owners.Count];
        Parallel.For(0, owners.Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, i => sealedEnvelopes[i] = SealNew(owners[i], 0));
        for (var i = 0; i < owners.Count; i++)
            _sealedAhead[(owners[i], 0)] = sealedEnvelopes[i];
    }

    /// <summary>
    /// After the caller's transaction committed: the envelopes it made are shared with later
    /// requests (and the system key's copy of their data keys, which it holds by construction).
    /// </summary>
    public void Committed()
    {
        foreach (var (key, made) in _uncommitted)
            Publish(key, made.Id, made.DataKey, made.Sealed);
        _uncommitted.Clear();
    }

    // Every record policy names the system role, so the system key opens a new envelope by
    // construction: later requests get its data key for writes, and the system's opened copy
    // instead of proving it with a decryption on the first read.
    private void Publish((string, int) key, long id, byte[] dataKey, byte[] sealedEnvelope)
    {
        RecordKeyCache.Bound(cache.Writable);
        cache.Writable[key] = (id, dataKey);
        RememberSealed(id, sealedEnvelope, dataKey);
    }

    // A newly sealed envelope's bytes, and its data key as the system key would open it.
    private void RememberSealed(long id, byte[] sealedEnvelope, byte[] dataKey)
    {
        RecordKeyCache.Bound(cache.Opened);
        cache.Opened[(SystemAttributesId, id, cache.RememberEnvelope(id, sealedEnvelope).Fingerprint)] = dataKey;
    }

    /// <summary>The envelope (id and data key) new versions of the record are written with.</summary>
    public async Task<(long EnvelopeId, byte[] DataKey)> ForWriteAsync(string? owner, CancellationToken cancellationToken)
    {
        var key = (owner ?? "", owner is null ? 0 : await CurrentEpochAsync(owner, cancellationToken));
        if (_madeHere.TryGetValue(key, out var made) || cache.Writable.TryGetValue(key, out made))
            return made;
        var existing = await db.RecordEnvelopes.AsNoTracking()
            .FirstOrDefaultAsync(e => e.Owner == key.Item1 && e.CreatedEpoch == key.Item2, cancellationToken);
        if (existing is not null)
            return Remember(key, existing.Id, OpenAsSystem(existing), committed: true);

        var (sealedEnvelope, dataKey) = owner is not null && _sealedAhead.Remove(key, out var ahead)
            ? ahead
            : SealNew(owner, key.Item2);
        var envelope = new RecordEnvelope
        {
            Owner = key.Item1,
            CreatedEpoch = key.Item2,
            WrapEpoch = key.Item2,
            Sealed = sealedEnvelope,
            CreatedAt = time.GetUtcNow().UtcDateTime,
        };
        if (db.Database.CurrentTransaction is not null)
        {
            // Part of the caller's transaction: it may still roll back, so only this scope
            // remembers it until the caller reports the commit (Committed).
            await InsertAsync(envelope, cancellationToken);
            _uncommitted[key] = (envelope.Id, dataKey, envelope.Sealed);
            return Remember(key, envelope.Id, dataKey, committed: false);
        }
        using (await gate.EnterAsync(cancellationToken))
        {
            try
            {
                await InsertAsync(envelope, cancellationToken);
            }
            catch (DbUpdateException)
            {
                // Another node made the same envelope first (unique owner and epoch): use theirs.
                db.Entry(envelope).State = EntityState.Detached;
                var theirs = await db.RecordEnvelopes.AsNoTracking().FirstAsync(e => e.Owner == key.Item1 && e.CreatedEpoch == key.Item2, cancellationToken);
                return Remember(key, theirs.Id, OpenAsSystem(theirs), committed: true);
            }
        }
        Publish(key, envelope.Id, dataKey, envelope.Sealed);
        return Remember(key, envelope.Id, dataKey, committed: false);
    }

    // A record's epoch-0 envelope is its first: it is made with the record's first resource, and a
    // share or break-glass needs the record to exist, so no one but the owner may read it yet.
    // Later epochs exist only after a revocation, so their records are shared.
    private (byte[] Sealed, byte[] DataKey) SealNew(string? owner, int epoch)
    {
        var dataKey = KeyEnvelope.NewDataKey();
        var policy = owner is not null && epoch == 0 ? RecordPolicy.ForNewRecord(owner) : RecordPolicy.For(owner, epoch);
        return (KeyEnvelope.Seal(authority.PublicKey, policy, dataKey), dataKey);
    }

    /// <summary>
    /// Re-wraps the record's envelopes that still name only the owner and the system under the
    /// full policy of their epoch, so grantees and break-glass can open them. Sharing and
    /// break-glass call it before their grant is stored: a grant never becomes visible before
    /// the envelopes admit it. The data keys do not change, so payloads are not re-encrypted.
    /// Returns how many envelopes were re-wrapped.
    /// </summary>
    public async Task<int> OpenToSharingAsync(string patientId, CancellationToken cancellationToken)
    {
        var envelopes = await db.RecordEnvelopes.AsNoTracking().Where(e => e.Owner == patientId).ToListAsync(cancellationToken);
        var widened = 0;
        foreach (var envelope in envelopes)
        {
            var full = RecordPolicy.For(patientId, envelope.WrapEpoch);
            if (KeyEnvelope.PolicyOf(envelope.Sealed) == full)
                continue;
            var dataKey = OpenAsSystem(envelope);
            var resealed = KeyEnvelope.Seal(authority.PublicKey, full, dataKey);
            int updated;
            using (await gate.EnterAsync(cancellationToken))
            {
                // Compare-and-swap on the sealed bytes: if a re-wrap after a revocation replaced the
                // envelope meanwhile, it is already under a full (newer) policy and is left alone.
                var previous = envelope.Sealed;
                updated = await db.RecordEnvelopes
                    .Where(e => e.Id == envelope.Id && e.WrapEpoch == envelope.WrapEpoch && e.Sealed == previous)
                    .ExecuteUpdateAsync(set => set.SetProperty(e => e.Sealed, resealed), cancellationToken);
            }
            if (updated == 0)
                continue;
            widened++;
            RememberSealed(envelope.Id, resealed, dataKey);
        }
        return widened;
    }

    /// <summary>The data key of a stored version's envelope, opened with the caller's attribute key.</summary>
    /// <exception cref="FhirProblem">403 when the caller's attributes do not open the record's envelope.</exception>
    public byte[] ForRead(ResourceVersion row)
    {
        ArgumentNullException.ThrowIfNull(row);
        var id = row.EnvelopeId ?? throw new InvalidOperationException($"{row.ResourceType}/{row.ResourceId}/_history/{row.Version} has no key envelope.");
        var fromCache = cache.Envelopes.TryGetValue(id, out var envelope);
        if (!fromCache)
            envelope = LoadEnvelope(row, id);
        _attributesId ??= AttributesId(access.Attributes);
        while (true)
        {
            var cacheKey = (_attributesId, id, envelope.Fingerprint);
            if (cache.Opened.TryGetValue(cacheKey, out var dataKey))
                return dataKey;
            if (KeyEnvelope.TryOpen(authority.KeyFor(access.Attributes), envelope.Sealed, out dataKey))
            {
                RecordKeyCache.Bound(cache.Opened);
                cache.Opened[cacheKey] = dataKey;
                return dataKey;
            }
            // The cached copy may predate a re-wrap (by another node): refuse only what the stored envelope refuses.
            var stored = fromCache ? LoadEnvelope(row, id) : envelope;
            if (!fromCache || stored.Fingerprint == envelope.Fingerprint)
            {
                throw FhirProblem.Of(HttpStatusCode.Forbidden, OperationOutcome.IssueType.Security,
                    $"{row.ResourceType}/{row.ResourceId} is encrypted under a policy that your attributes do not satisfy.");
            }
            (envelope, fromCache) = (stored, false);
        }
    }

    private (byte[] Sealed, string Fingerprint) LoadEnvelope(ResourceVersion row, long id)
    {
        var sealedEnvelope = db.RecordEnvelopes.AsNoTracking().Where(e => e.Id == id).Select(e => e.Sealed).FirstOrDefault()
            ?? throw new InvalidOperationException($"Key envelope {id} of {row.ResourceType}/{row.ResourceId} is missing.");
        return cache.RememberEnvelope(id, sealedEnvelope);
    }

    private static readonly string SystemAttributesId = AttributesId([RecordPolicy.SystemAttribute]);

    private static string AttributesId(IEnumerable<string> attributes) => string.Join('\n', attributes.Order(StringComparer.Ordinal));

    /// <summary>
    /// Re-wraps every envelope of the record that is still under an older epoch's policy (after a
    /// revocation), then records that no older epoch is live. Returns how many were re-wrapped.
    /// </summary>
    public async Task<int> RewrapAsync(string patientId, CancellationToken cancellationToken)
    {
        var current = await CurrentEpochAsync(patientId, cancellationToken);
        var stale = await db.RecordEnvelopes.Where(e => e.Owner == patientId && e.WrapEpoch < current).ToListAsync(cancellationToken);
        var policy = RecordPolicy.For(patientId, current);
        foreach (var envelope in stale)
        {
            var dataKey = OpenAsSystem(envelope);
            envelope.Sealed = KeyEnvelope.Seal(authority.PublicKey, policy, dataKey);
            envelope.WrapEpoch = current;
        }
        using (await gate.EnterAsync(cancellationToken))
        {
            await db.SaveChangesAsync(cancellationToken);
            foreach (var envelope in stale)
                cache.RememberEnvelope(envelope.Id, envelope.Sealed);
            var epoch = await db.RecordEpochs.FirstOrDefaultAsync(e => e.PatientId == patientId, cancellationToken);
            if (epoch is not null && epoch.Epoch == current)
            {
                epoch.OldestLiveEpoch = current;
                await db.SaveChangesAsync(cancellationToken);
                sharing.Invalidate();
            }
        }
        db.ChangeTracker.Clear();
        return stale.Count;
    }

    /// <summary>The record's current epoch (0 until a share of it is first revoked).</summary>
    public async Task<int> CurrentEpochAsync(string patientId, CancellationToken cancellationToken)
    {
        var generation = sharing.Generation;
        if (sharing.TryGetEpoch(patientId, out var cached))
            return cached;
        var epoch = await db.RecordEpochs.AsNoTracking().Where(e => e.PatientId == patientId).Select(e => (int?)e.Epoch).FirstOrDefaultAsync(cancellationToken) ?? 0;
        sharing.StoreEpoch(patientId, generation, epoch);
        return epoch;
    }

    private async Task InsertAsync(RecordEnvelope envelope, CancellationToken cancellationToken)
    {
        db.RecordEnvelopes.Add(envelope);
        await db.SaveChangesAsync(cancellationToken);
        // Only this entity: the caller may be tracking the version it is about to supersede.
        db.Entry(envelope).State = EntityState.Detached;
    }

    private (long, byte[]) Remember((string, int) key, long id, byte[] dataKey, bool committed)
    {
        _madeHere[key] = (id, dataKey);
        if (committed)
        {
            RecordKeyCache.Bound(cache.Writable);
            cache.Writable[key] = (id, dataKey);
        }
        return (id, dataKey);
    }

    // The server writes into records it was allowed to write to; the system role opens every envelope.
    private byte[] OpenAsSystem(RecordEnvelope envelope) =>
        KeyEnvelope.TryOpen(authority.KeyFor([RecordPolicy.SystemAttribute]), envelope.Sealed, out var dataKey)
            ? dataKey
            : throw new InvalidOperationException($"Key envelope {envelope.Id} does not open with the system key: it was damaged or made by another authority.");
}
