using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;

namespace Fhir.Phr.Core.Access;

/// <summary>A caller's live grants and the epochs of the records they share, as stored.</summary>
/// <param name="Grants">Unrevoked grants of the account; expiry is checked when they are used.</param>
/// <param name="Epochs">(oldest live, current) epoch of each shared record that has left epoch 0.</param>
public sealed record StoredGrants(
    IReadOnlyList<(string PatientId, GrantKind Kind, bool CanWrite, DateTime? ExpiresAt)> Grants,
    IReadOnlyDictionary<string, (int Oldest, int Current)> Epochs);

/// <summary>
/// The grants and record epochs that every request reads (<see cref="AccessAuthenticator"/>: the
/// caller's grants and the epochs of what they share; <c>RecordKeys</c>: the record's epoch before
/// each write), kept in memory so that requests stop querying them. Only with SQLite: there this
/// process is the only writer, and every change of grants or epochs goes through
/// <see cref="SharingService"/> or <c>RecordKeys.RewrapAsync</c>, which call <see cref="Invalidate"/>
/// right after their write commits — so a share, revoke or break-glass counts from the very next
/// request. With PostgreSQL other nodes write them too, so nothing is cached there. An entry read
/// from the database while an invalidation ran is not kept (generation check), and every entry
/// is dropped after <see cref="MaxAge"/> in case someone changes the database behind the server.
/// </summary>
public sealed class SharingStateCache
{
    public static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(1);
    private const int MaxEntries = 100_000;

    private readonly bool _enabled;
    private readonly Entries<StoredGrants> _grants;
    private readonly Entries<int> _epochs;
    private long _generation;

    public SharingStateCache(PhrOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _enabled = options.Database == DatabaseProvider.Sqlite;
        _grants = new(this);
        _epochs = new(this);
    }

    /// <summary>Read before querying the database; pass it back when storing what the query returned.</summary>
    public long Generation => Interlocked.Read(ref _generation);

    /// <summary>The grants of an account (token subject).</summary>
    public bool TryGetGrants(string subject, [MaybeNullWhen(false)] out StoredGrants grants) => _grants.TryGet(subject, out grants);

    public void StoreGrants(string subject, long generation, StoredGrants grants) => _grants.Store(subject, generation, grants);

    /// <summary>The current epoch of a patient record.</summary>
    public bool TryGetEpoch(string patientId, out int epoch) => _epochs.TryGet(patientId, out epoch);

    public void StoreEpoch(string patientId, long generation, int epoch) => _epochs.Store(patientId, generation, epoch);

    /// <summary>Forgets everything: call after a write of grants or epochs commits.</summary>
    public void Invalidate()
    {
        Interlocked.Increment(ref _generation);
        _grants.Clear();
        _epochs.Clear();
    }

    private sealed class Entries<T>(SharingStateCache owner)
    {
        private readonly ConcurrentDictionary<string, (long Generation, long At, T Value)> _entries = new(StringComparer.Ordinal);

        public bool TryGet(string key, [MaybeNullWhen(false)] out T value)
        {
            value = default;
            if (!owner._enabled || !_entries.TryGetValue(key, out var entry) || entry.Generation != owner.Generation
                || Environment.TickCount64 - entry.At >= (long)MaxAge.TotalMilliseconds)
                return false;
            value = entry.Value;
            return true;
        }

        public void Store(string key, long generation, T value)
        {
            if (!owner._enabled || generation != owner.Generation)
                return;
            if (_entries.Count >= MaxEntries)
                _entries.Clear();
            _entries[key] = (generation, Environment.TickCount64, value);
        }

        public void Clear() => _entries.Clear();
    }
}
