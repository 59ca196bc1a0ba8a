using Fhir.Phr.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace Fhir.Phr.Server.Hosting;

/// <summary>
/// SQLite plans queries from table statistics that only ANALYZE gathers; without them a name
/// search scanned every Patient and sorted the matches, with them it reads the matching index
/// entries in row order (half the page query's time). SQLite's own advice for long-lived
/// connections (sqlite.org/lang_analyze.html#autoanalyze, "PRAGMA optimize") is to run
/// <c>PRAGMA optimize</c> periodically; it re-analyses only tables that changed much since (a
/// minute's check costs next to nothing when none did), and <c>analysis_limit</c> bounds each
/// analysis to a sample.
/// </summary>
internal sealed class SqliteOptimizer(IServiceScopeFactory scopes, TimeProvider time, ILogger<SqliteOptimizer> logger)
    : PeriodicService(TimeSpan.FromMinutes(1), time, logger)
{
    protected override async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PhrDbContext>();
        // 0x10002: also analyse tables that have never been analysed (a new database's), not only changed ones.
        await db.Database.ExecuteSqlRawAsync("PRAGMA analysis_limit=1000; PRAGMA optimize=0x10002;", cancellationToken);
    }
}
