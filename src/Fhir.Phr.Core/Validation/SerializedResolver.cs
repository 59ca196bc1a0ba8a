using Hl7.Fhir.Model;
using Hl7.Fhir.Specification.Source;

namespace Fhir.Phr.Core.Validation;

/// <summary>
/// Lets one caller at a time into a resolver that is not thread-safe: the SDK's
/// <see cref="SnapshotSource"/> refuses to generate two snapshots at once ("Invalid snapshot
/// generator state") and the validator would cache that failure as a broken profile. Placed
/// under a <see cref="CachedResolver"/>, the lock is only taken when a definition is first loaded.
/// </summary>
internal sealed class SerializedResolver(IAsyncResourceResolver inner) : IAsyncResourceResolver, IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);

#pragma warning disable CS0618 // The SDK marks the plain lookups obsolete but still calls them; both forms are serialised.
    public Task<Resource?> ResolveByUriAsync(string uri) => SerialisedAsync(() => inner.ResolveByUriAsync(uri));

    public Task<Resource?> ResolveByCanonicalUriAsync(string uri) => SerialisedAsync(() => inner.ResolveByCanonicalUriAsync(uri));
#pragma warning restore CS0618

    public Task<ResolverResult> TryResolveByUriAsync(string uri) => SerialisedAsync(() => inner.TryResolveByUriAsync(uri));

    public Task<ResolverResult> TryResolveByCanonicalUriAsync(string uri) => SerialisedAsync(() => inner.TryResolveByCanonicalUriAsync(uri));

    public void Dispose() => _gate.Dispose();

    private async Task<T> SerialisedAsync<T>(Func<Task<T>> resolve)
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            return await resolve().ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }
}
