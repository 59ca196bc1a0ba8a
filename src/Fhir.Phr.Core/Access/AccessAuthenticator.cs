using Fhir.Phr.Core.Storage;
using Fhir.Phr.Protection;
using Microsoft.EntityFrameworkCore;

namespace Fhir.Phr.Core.Access;

/// <summary>
/// Turns a validated caller into the request's <see cref="AccessContext"/>: which patients the
/// account reaches through <c>user/</c> scopes — its own record, the records shared with it,
/// records it opened with break-glass — and the CP-ABE attributes its key is issued for, all
/// read from the stored grants and record epochs.
/// </summary>
public sealed class AccessAuthenticator(PhrDbContext db, AccessContext access, TimeProvider time)
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
        var subject = caller.Subject;
        var grants = await db.AccessGrants.AsNoTracking()
            .Where(g => g.Grantee == subject && g.RevokedAt == null && (g.ExpiresAt == null || g.ExpiresAt > now))
            .Select(g => new { g.PatientId, g.Kind, g.CanWrite })
            .ToListAsync(cancellationToken);
        var shared = grants.Where(g => g.Kind == GrantKind.Share).Select(g => g.PatientId).Distinct().ToList();
        var epochs = await db.RecordEpochs.AsNoTracking().Where(e => shared.Contains(e.PatientId)).ToDictionaryAsync(e => e.PatientId, cancellationToken);
        foreach (var grant in grants)
        {
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
            var (oldest, current) = epochs.TryGetValue(grant.PatientId, out var e) ? (e.OldestLiveEpoch, e.Epoch) : (0, 0);
            for (var epoch = oldest; epoch <= current; epoch++)
                attributes.Add(RecordPolicy.Grant(grant.PatientId, epoch));
        }
        return new AccountReach(readable, writable, attributes);
    }
}
