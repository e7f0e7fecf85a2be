namespace Navarch.Client.Queue;

/// <summary>
/// A queue of object keys with client-go's guarantees: a key waiting twice is queued once, a key being
/// processed is never handed to a second worker (a change meanwhile re-queues it after <see cref="Done"/>),
/// and failures retry with per-key exponential back-off.
/// </summary>
public sealed class WorkQueue(TimeProvider? time = null, TimeSpan? baseDelay = null, TimeSpan? maxDelay = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly TimeSpan _baseDelay = baseDelay ?? TimeSpan.FromMilliseconds(5);
    private readonly TimeSpan _maxDelay = maxDelay ?? TimeSpan.FromSeconds(60);

    // Guards the queue and the three sets below; _available counts keys in _queue.
    private readonly object _lock = new();
    private readonly Queue<string> _queue = new();
    private readonly HashSet<string> _dirty = [];
    private readonly HashSet<string> _processing = [];
    private readonly Dictionary<string, int> _failures = [];
    private readonly SemaphoreSlim _available = new(0);
    private bool _shutDown;

    public int Length { get { lock (_lock) return _queue.Count; } }

    public void Add(string key)
    {
        lock (_lock)
        {
            if (_shutDown || !_dirty.Add(key) || _processing.Contains(key)) return;
            _queue.Enqueue(key);
        }
        _available.Release();
    }

    /// <summary>Adds <paramref name="key"/> once <paramref name="delay"/> has passed.</summary>
    public void AddAfter(string key, TimeSpan delay)
    {
        if (delay <= TimeSpan.Zero) { Add(key); return; }
        ITimer? timer = null;
        timer = _time.CreateTimer(_ => { Add(key); timer?.Dispose(); }, null, delay, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Adds <paramref name="key"/> after its back-off, which doubles with each failure until <see cref="Forget"/>.</summary>
    public void AddRateLimited(string key)
    {
        int failures;
        lock (_lock) failures = _failures[key] = _failures.GetValueOrDefault(key) + 1;
        var delay = TimeSpan.FromTicks((long)Math.Min(_maxDelay.Ticks, _baseDelay.Ticks * Math.Pow(2, Math.Min(failures - 1, 30))));
        AddAfter(key, delay);
    }

    /// <summary>Clears the back-off of <paramref name="key"/> (it synced).</summary>
    public void Forget(string key)
    {
        lock (_lock) _failures.Remove(key);
    }

    public int Failures(string key)
    {
        lock (_lock) return _failures.GetValueOrDefault(key);
    }

    /// <summary>Waits for a key; the caller owns it until <see cref="Done"/>. Null once shut down.</summary>
    public async Task<string?> GetAsync(CancellationToken ct)
    {
        while (true)
        {
            await _available.WaitAsync(ct);
            lock (_lock)
            {
                if (_queue.Count == 0)
                {
                    if (_shutDown) return null;
                    continue;
                }
                var key = _queue.Dequeue();
                _dirty.Remove(key);
                _processing.Add(key);
                return key;
            }
        }
    }

    public void Done(string key)
    {
        var requeue = false;
        lock (_lock)
        {
            _processing.Remove(key);
            if (_dirty.Contains(key) && !_shutDown)
            {
                _queue.Enqueue(key);
                requeue = true;
            }
        }
        if (requeue) _available.Release();
    }

    public void ShutDown()
    {
        lock (_lock) _shutDown = true;
        _available.Release(int.MaxValue / 2);
    }
}
