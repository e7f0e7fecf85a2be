using System.Collections.Concurrent;

namespace Navarch.Agent.Server.Auth;

/// <summary>
/// Answers of the API server (token and access reviews) kept for a short time, so that a log stream or an exec
/// session does not cost the API server two requests each (upstream's webhook caches: 2 min for tokens, 5 min for
/// allowed and 30 s for denied access). Bounded: when full, it starts over rather than grow.
/// </summary>
internal sealed class ExpiringCache<TKey, TValue>(TimeProvider time, int capacity = 4096) where TKey : notnull
{
    private readonly ConcurrentDictionary<TKey, (TValue Value, DateTimeOffset Expires)> _entries = new();

    public bool TryGet(TKey key, out TValue value)
    {
        if (_entries.TryGetValue(key, out var entry) && entry.Expires > time.GetUtcNow())
        {
            value = entry.Value;
            return true;
        }
        value = default!;
        return false;
    }

    public void Set(TKey key, TValue value, TimeSpan ttl)
    {
        if (_entries.Count >= capacity) _entries.Clear();
        _entries[key] = (value, time.GetUtcNow() + ttl);
    }
}
