using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Fhir.Phr.Core.Storage;

/// <summary>
/// SQLite allows one writer at a time; concurrent writers otherwise meet SQLITE_BUSY and sleep
/// in the driver's retry loop. Queueing them in-process on this gate is fairer and much faster.
/// PostgreSQL needs no gate: its row-level concurrency and our unique version index decide.
/// </summary>
public sealed class WriteGate(PhrOptions options)
{
    private readonly SemaphoreSlim? _gate = options.Database == DatabaseProvider.Sqlite ? new SemaphoreSlim(1, 1) : null;

    public async ValueTask<IDisposable> EnterAsync(CancellationToken cancellationToken)
    {
        if (_gate is null)
            return Lease.None;
        await _gate.WaitAsync(cancellationToken);
        return new Lease(_gate);
    }

    private sealed class Lease(SemaphoreSlim? gate) : IDisposable
    {
        public static readonly Lease None = new(null);

        private SemaphoreSlim? _gate = gate;

        public void Dispose() => Interlocked.Exchange(ref _gate, null)?.Release();
    }
}

/// <summary>
/// Per-connection SQLite settings: WAL needs only NORMAL synchronisation to stay consistent
/// (a power cut may lose the last commits, never corrupt), which makes each commit one fsync
/// cheaper; a busy timeout covers the rare reader/checkpoint overlap; a 32 MiB page cache
/// (grown only as used) keeps the search index's upper B-tree levels in memory.
/// </summary>
internal sealed class SqlitePragmas : DbConnectionInterceptor
{
    private const string Pragmas = "PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000; PRAGMA cache_size=-32768;";

    // The pool hands out the same native connection again and again; the settings stay on it,
    // so they run once per native connection, not on every open (a fifth of a read's database time).
    private readonly ConditionalWeakTable<object, object> _configured = new();

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        if (!FirstOpen(connection, out var handle))
            return;
        using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        command.ExecuteNonQuery();
        _configured.AddOrUpdate(handle, handle);
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        if (!FirstOpen(connection, out var handle))
            return;
        await using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        await command.ExecuteNonQueryAsync(cancellationToken);
        _configured.AddOrUpdate(handle, handle);
    }

    private bool FirstOpen(DbConnection connection, out object handle)
    {
        handle = ((SqliteConnection)connection).Handle!;
        return !_configured.TryGetValue(handle, out _);
    }
}
