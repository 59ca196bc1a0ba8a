using Fhir.Phr.Server.Hosting;
using OpenIddict.Abstractions;

namespace Fhir.Phr.Server.Smart;

/// <summary>
/// Removes what can no longer be used, every hour: OpenIddict's expired or revoked tokens and
/// authorizations (older than a day, so that a reused code still finds and revokes its tokens
/// for a while), expired EHR launches and spent client-assertion ids.
/// </summary>
internal sealed class ExpiredTokenPruner(IServiceScopeFactory scopes, TimeProvider time, ILogger<ExpiredTokenPruner> logger)
    : PeriodicService(TimeSpan.FromHours(1), time, logger)
{
    protected override async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var threshold = Time.GetUtcNow() - TimeSpan.FromDays(1);
        await scope.ServiceProvider.GetRequiredService<IOpenIddictTokenManager>().PruneAsync(threshold, cancellationToken);
        await scope.ServiceProvider.GetRequiredService<IOpenIddictAuthorizationManager>().PruneAsync(threshold, cancellationToken);
        await scope.ServiceProvider.GetRequiredService<SmartLaunches>().PruneAsync(cancellationToken);
    }
}
