using OpenIddict.Abstractions;

namespace Fhir.Phr.Server.Smart;

/// <summary>
/// Removes what can no longer be used, every hour: OpenIddict's expired or revoked tokens and
/// authorizations (older than a day, so that a reused code still finds and revokes its tokens
/// for a while), expired EHR launches and spent client-assertion ids.
/// </summary>
internal sealed partial class ExpiredTokenPruner(IServiceScopeFactory scopes, TimeProvider time, ILogger<ExpiredTokenPruner> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromHours(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await PruneAsync(stoppingToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                LogFailed(logger, exception);
            }
        }
    }

    public async Task PruneAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var threshold = time.GetUtcNow() - TimeSpan.FromDays(1);
        await scope.ServiceProvider.GetRequiredService<IOpenIddictTokenManager>().PruneAsync(threshold, cancellationToken);
        await scope.ServiceProvider.GetRequiredService<IOpenIddictAuthorizationManager>().PruneAsync(threshold, cancellationToken);
        await scope.ServiceProvider.GetRequiredService<SmartLaunches>().PruneAsync(cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Pruning expired tokens failed; it is tried again in an hour")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
