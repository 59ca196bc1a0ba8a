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
internal sealed partial class SqliteOptimizer(IServiceScopeFactory scopes, TimeProvider time, ILogger<SqliteOptimizer> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await OptimizeAsync(stoppingToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                LogFailed(logger, exception);
            }
        }
    }

    public async Task OptimizeAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PhrDbContext>();
        // 0x10002: also analyse tables that have never been analysed (a new database's), not only changed ones.
        await db.Database.ExecuteSqlRawAsync("PRAGMA analysis_limit=1000; PRAGMA optimize=0x10002;", cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "PRAGMA optimize failed; it is tried again in a minute")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
