using k8s.Models;

namespace Navarch.Controllers.EndpointSlices;

/// <summary>
/// Remembers the slice writes made for each Service until the informer's cache shows them, so a sync never
/// plans from a cache that misses a slice we just created (which would create it twice: generateName gives no
/// conflict to stop that). Upstream's endpointSliceTracker plays the same part.
/// </summary>
public sealed class SliceTracker
{
    // Guards _expected. Per service key: slice name → resourceVersion we wrote (null = we deleted it).
    private readonly object _lock = new();
    private readonly Dictionary<string, Dictionary<string, string?>> _expected = [];

    public void Written(string serviceKey, V1EndpointSlice slice)
    {
        lock (_lock) For(serviceKey)[slice.Metadata.Name] = slice.Metadata.ResourceVersion;
    }

    public void Deleted(string serviceKey, string sliceName)
    {
        lock (_lock) For(serviceKey)[sliceName] = null;
    }

    /// <summary>True when every write for the Service is visible in <paramref name="cached"/> (then forgets them).</summary>
    public bool CaughtUp(string serviceKey, IReadOnlyList<V1EndpointSlice> cached)
    {
        lock (_lock)
        {
            if (!_expected.TryGetValue(serviceKey, out var expected)) return true;
            var byName = cached.ToDictionary(s => s.Metadata.Name);
            foreach (var (name, rv) in expected)
            {
                byName.TryGetValue(name, out var seen);
                if (rv is null ? seen is not null : seen is null || !AtLeast(seen.Metadata.ResourceVersion, rv)) return false;
            }
            _expected.Remove(serviceKey);
            return true;
        }
    }

    public void Forget(string serviceKey)
    {
        lock (_lock) _expected.Remove(serviceKey);
    }

    private Dictionary<string, string?> For(string key) =>
        _expected.TryGetValue(key, out var d) ? d : _expected[key] = [];

    // resourceVersions are opaque, but ours are revisions: compare as numbers when both are.
    private static bool AtLeast(string? seen, string wanted) =>
        ulong.TryParse(seen, out var a) && ulong.TryParse(wanted, out var b) ? a >= b : seen == wanted;
}
