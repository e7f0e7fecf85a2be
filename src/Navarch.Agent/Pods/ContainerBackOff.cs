namespace Navarch.Agent.Pods;

/// <summary>
/// Per-key exponential back-off as upstream's kubelet keeps it for container restarts and image pulls
/// (client-go's flowcontrol.Backoff): the first failure restarts at once and arms <c>initial</c>; each later
/// restart doubles the delay up to <c>max</c>; an entry untouched for twice <c>max</c> starts over.
/// Thread-safe.
/// </summary>
public sealed class ContainerBackOff(TimeSpan initial, TimeSpan max, TimeProvider time)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, (TimeSpan Delay, DateTimeOffset LastUpdate)> _entries = [];

    /// <summary>The key upstream uses for a container: pod name, namespace, UID and container name.</summary>
    public static string Key(string podName, string podNamespace, string podUid, string container) =>
        $"{podName}_{podNamespace}_{podUid}_{container}";

    /// <summary>The current delay of <paramref name="key"/>, zero if it has none.</summary>
    public TimeSpan Delay(string key)
    {
        lock (_lock) return _entries.TryGetValue(key, out var e) ? e.Delay : TimeSpan.Zero;
    }

    /// <summary>
    /// How long <paramref name="key"/> must still wait counted from <paramref name="since"/> (a container's
    /// exit), or zero when it may restart now.
    /// </summary>
    public TimeSpan Remaining(string key, DateTimeOffset since)
    {
        var now = time.GetUtcNow();
        lock (_lock)
        {
            if (!_entries.TryGetValue(key, out var e) || Expired(now, e.LastUpdate)) return TimeSpan.Zero;
            var left = e.Delay - (now - since);
            return left > TimeSpan.Zero ? left : TimeSpan.Zero;
        }
    }

    /// <summary>How long <paramref name="key"/> must still wait counted from its last <see cref="Next"/> (image pulls), or zero.</summary>
    public TimeSpan Remaining(string key)
    {
        DateTimeOffset since;
        lock (_lock)
        {
            if (!_entries.TryGetValue(key, out var e)) return TimeSpan.Zero;
            since = e.LastUpdate;
        }
        return Remaining(key, since);
    }

    /// <summary>Records a restart of <paramref name="key"/> now: arms the initial delay, or doubles the current one (up to the maximum).</summary>
    public TimeSpan Next(string key)
    {
        var now = time.GetUtcNow();
        lock (_lock)
        {
            var delay = !_entries.TryGetValue(key, out var e) || Expired(now, e.LastUpdate)
                ? initial
                : TimeSpan.FromTicks(Math.Min(e.Delay.Ticks * 2, max.Ticks));
            _entries[key] = (delay, now);
            return delay;
        }
    }

    /// <summary>Forgets <paramref name="key"/> (its pod is gone).</summary>
    public void Reset(string key)
    {
        lock (_lock) _entries.Remove(key);
    }

    /// <summary>Forgets every key that starts with <paramref name="prefix"/>.</summary>
    public void ResetPrefix(string prefix)
    {
        lock (_lock)
            foreach (var k in _entries.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)).ToList()) _entries.Remove(k);
    }

    private bool Expired(DateTimeOffset now, DateTimeOffset lastUpdate) => now - lastUpdate > 2 * max;
}
