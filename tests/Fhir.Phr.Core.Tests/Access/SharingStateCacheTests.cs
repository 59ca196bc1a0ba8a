using Fhir.Phr.Core.Access;

namespace Fhir.Phr.Core.Tests.Access;

public sealed class SharingStateCacheTests
{
    private static readonly StoredGrants OneShare = new([("pat-1", GrantKind.Share, false, null)], new Dictionary<string, (int, int)>());

    [Fact]
    public void StoredGrants_AreServedUntilInvalidated()
    {
        var cache = new SharingStateCache(new PhrOptions());
        cache.StoreGrants("friend", cache.Generation, OneShare);
        Assert.True(cache.TryGetGrants("friend", out var cached));
        Assert.Same(OneShare, cached);

        cache.Invalidate();

        Assert.False(cache.TryGetGrants("friend", out _));
    }

    [Fact]
    public void GrantsReadBeforeAnInvalidation_AreNotKept()
    {
        var cache = new SharingStateCache(new PhrOptions());
        var generation = cache.Generation;
        cache.StoreEpoch("pat-1", generation, 0);

        cache.Invalidate();
        cache.StoreGrants("friend", generation, OneShare);
        cache.StoreEpoch("pat-1", generation, 0);

        Assert.False(cache.TryGetGrants("friend", out _));
        Assert.False(cache.TryGetEpoch("pat-1", out _));
    }

    [Fact]
    public void WithPostgreSql_NothingIsCached()
    {
        var cache = new SharingStateCache(new PhrOptions { Database = DatabaseProvider.PostgreSql });

        cache.StoreGrants("friend", cache.Generation, OneShare);
        cache.StoreEpoch("pat-1", cache.Generation, 3);

        Assert.False(cache.TryGetGrants("friend", out _));
        Assert.False(cache.TryGetEpoch("pat-1", out _));
    }
}
