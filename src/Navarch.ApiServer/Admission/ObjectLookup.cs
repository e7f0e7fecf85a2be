using Navarch.Api.Resources;
using Navarch.ApiServer.Storage;
using Navarch.ApiServer.Watching;

namespace Navarch.ApiServer.Admission;

/// <summary>The objects plugins consult (namespaces, service accounts, pods), read from the watch cache as upstream's plugins read informers.</summary>
public sealed class ObjectLookup(WatchCache cache)
{
    /// <summary>The object as of every write acknowledged before the call; null when absent.</summary>
    public async Task<CachedObject?> GetAsync(ResourceType rt, string? ns, string name, CancellationToken ct)
    {
        // A hit is returned at once: plugins ask for objects that rarely change (namespaces, service accounts), and a
        // miss or a stale answer is corrected by waiting for the cache to catch up.
        var cached = cache.For(rt).Get(ObjectKeys.For(rt, ns, name));
        if (cached is not null) return cached;
        await cache.WaitUntilFreshAsync(ct);
        return cache.For(rt).Get(ObjectKeys.For(rt, ns, name));
    }

    /// <summary>The freshest version: waits for the cache first (for checks whose answer must not be stale).</summary>
    public async Task<CachedObject?> GetFreshAsync(ResourceType rt, string? ns, string name, CancellationToken ct)
    {
        await cache.WaitUntilFreshAsync(ct);
        return cache.For(rt).Get(ObjectKeys.For(rt, ns, name));
    }

    /// <summary>Every object of <paramref name="rt"/> in <paramref name="ns"/>, as of now.</summary>
    public IEnumerable<CachedObject> List(ResourceType rt, string ns)
    {
        var prefix = ObjectKeys.Prefix(rt, ns);
        foreach (var (key, value) in cache.For(rt).Snapshot)
            if (key.StartsWith(prefix, StringComparison.Ordinal)) yield return value;
    }
}
