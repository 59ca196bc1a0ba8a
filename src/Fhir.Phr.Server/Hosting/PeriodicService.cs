namespace Fhir.Phr.Server.Hosting;

/// <summary>
/// Upkeep that runs every <c>interval</c> for the server's lifetime, the first time one interval
/// after start. A failed round is logged and the next one tried as usual: upkeep never stops the server.
/// </summary>
internal abstract partial class PeriodicService(TimeSpan interval, TimeProvider time, ILogger logger) : BackgroundService
{
    protected TimeProvider Time { get; } = time;

    protected abstract Task RunOnceAsync(CancellationToken cancellationToken);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(interval, Time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await RunOnceAsync(stoppingToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                LogFailed(logger, GetType().Name, interval, exception);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Service} failed; it runs again in {Interval}")]
    private static partial void LogFailed(ILogger logger, string service, TimeSpan interval, Exception exception);
}
