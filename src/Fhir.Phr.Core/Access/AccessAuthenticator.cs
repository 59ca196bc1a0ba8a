using Fhir.Phr.Core.Storage;
using Fhir.Phr.Protection;
using Microsoft.EntityFrameworkCore;

namespace Fhir.Phr.Core.Access;

/// <summary>
/// Turns a validated caller into the request's <see cref="AccessContext"/>: which patients the
/// account reaches through <c>user/</c> scopes — its own record, the records shared with it,
/// records it opened with break-glass — and the CP-ABE attributes its key is issued for, all
/// read from the stored grants and record epochs (through <see cref="SharingStateCache"/>).
/// </summary>
public sealed class AccessAuthenticator(PhrDbContext db, AccessContext access, SharingStateCache cache, TimeProvider time)
{
    public async Task AuthenticateAsync(Caller caller, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        access.Authenticate(caller, await ReachAsync(caller, cancellationToken));
    }

    /// <summary>The patients the account may see, for a standalone launch's patient picker (a patient sees only themself).</summary>
    public async Task<IReadOnlyList<string>> PatientsVisibleToAsync(Caller caller, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        var reach = await ReachAsync(caller, cancellationToken);
        return reach.Readable.Order(StringComparer.Ordinal).ToList();
    }

    private async Task<AccountReach> ReachAsync(Caller caller, CancellationToken cancellationToken)
    {
        HashSet<string> readable = [];
        HashSet<string> writable = [];
        HashSet<string> attributes = [];
        if (caller.Scopes.Any(s => SmartScope.TryParse(s, out var scope) && scope.Context == ScopeContext.System))
            attributes.Add(RecordPolicy.SystemAttribute);
        if (caller.OwnPatient is { } own)
        {
            readable.Add(own);
            writable.Add(own);
            attributes.Add(RecordPolicy.Owner(own));
        }

        var now = time.GetUtcNow().UtcDateTime;
        var stored = await GrantsOfAsync(caller.Subject, now, cancellationToken);
        foreach (var grant in stored.Grants)
        {
            if (grant.ExpiresAt is { } expires && expires <= now)
                continue;
            readable.Add(grant.PatientId);
            if (grant.CanWrite)
                writable.Add(grant.PatientId);
            if (grant.Kind == GrantKind.BreakGlass)
            {
                attributes.Add(RecordPolicy.Emergency(grant.PatientId));
                continue;
            }
            // A share holds every epoch some envelope of the record is still wrapped under, so
            // that the record stays readable while a revocation's re-wrap is running.
            var (oldest, current) = stored.Epochs.TryGetValue(grant.PatientId, out var e) ? e : (0, 0);
            for (var epoch = oldest; epoch <= current; epoch++)
                attributes.Add(RecordPolicy.Grant(grant.PatientId, epoch));
        }
        return new AccountReach(readable, writable, attributes);
    }

    private async Task<StoredGrants> GrantsOfAsync(string subject, DateTime now, CancellationToken cancellationToken)
    {
        var generation = cache.Generation;
        if (cache.TryGetGrants(subject, out var cached))
            return cached;
        var grants = await db.AccessGrants.AsNoTracking()
            .Where(g => g.Grantee == subject && g.RevokedAt == null && (g.ExpiresAt == null || g.ExpiresAt > now))
            .Select(g => new { g.PatientId, g.Kind, g.CanWrite, g.ExpiresAt })
            .ToListAsync(cancellationToken);
        var shared = grants.Where(g => g.Kind == GrantKind.Share).Select(g => g.PatientId).Distinct().ToList();
        // Most callers (system clients, patients who were given nothing) have no shares: one query, not two.
        var epochs = shared.Count == 0
            ? new Dictionary<string, (int, int)>()
            : await db.RecordEpochs.AsNoTracking().Where(e => shared.Contains(e.PatientId))
                .ToDictionaryAsync(e => e.PatientId, e => (e.OldestLiveEpoch, e.Epoch), cancellationToken);
        var stored = new StoredGrants(grants.Select(g => (g.PatientId, g.Kind, g.CanWrite, g.ExpiresAt)).ToList(), epochs);
        cache.StoreGrants(subject, generation, stored);
        return stored;
    }
}
