using k8s;
using k8s.Models;
using Navarch.Client.Informers;

namespace Navarch.Scheduler.Queue;

/// <summary>Where a pending pod is in the queue.</summary>
public enum QueueState { Active, InFlight, Backoff, Unschedulable }

/// <summary>A pod taken from the queue, with the move-request count at that moment (see <see cref="SchedulingQueue.Unschedulable"/>).</summary>
public readonly record struct QueuedPod(V1Pod Pod, long MoveCycle);

/// <summary>
/// Upstream's scheduling queue, simplified: pending pods wait in a FIFO active queue; a pod no node fits waits
/// in the unschedulable set until something changes (a node added or updated, a bound pod deleted: a "move
/// request"), then in back-off (1 s doubling to 10 s per attempt), and is retried anyway after
/// <see cref="UnschedulableTimeout"/>. A move request that happens while a pod is being scheduled sends it to
/// back-off rather than to the unschedulable set, so the change is never missed. Thread-safe.
/// </summary>
public sealed class SchedulingQueue(TimeProvider time)
{
    public static readonly TimeSpan InitialBackoff = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(10);
    /// <summary>Upstream waits 5 minutes; pods here are cheap to retry and events are what users watch.</summary>
    public static readonly TimeSpan UnschedulableTimeout = TimeSpan.FromSeconds(30);

    private sealed class Entry(V1Pod pod)
    {
        public V1Pod Pod = pod;
        public QueueState State;
        public int Attempts;
        // Back-off: when it ends; unschedulable: since when.
        public DateTimeOffset At;
    }

    private readonly object _sync = new();
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly Queue<string> _active = new();
    // One count per key in _active; keys whose entry is gone or no longer active are skipped when popped.
    private readonly SemaphoreSlim _available = new(0);
    private long _moveCycle;

    /// <summary>A pending pod was added or changed: queue it, or take its new version.</summary>
    public void AddOrUpdate(V1Pod pod)
    {
        var key = ObjectKey.Of(pod);
        lock (_sync)
        {
            if (!_entries.TryGetValue(key, out var entry))
            {
                _entries[key] = new Entry(pod);
                ActivateLocked(key, _entries[key]);
                return;
            }
            var old = entry.Pod;
            entry.Pod = pod;
            // A pod that changed what it asks for (not just its status) may fit now.
            if (entry.State == QueueState.Unschedulable && old.Metadata.ResourceVersion != pod.Metadata.ResourceVersion && SchedulingInputsChanged(old, pod))
                ActivateLocked(key, entry);
        }
    }

    /// <summary>The pod is gone or bound: forget it.</summary>
    public void Delete(string key)
    {
        lock (_sync) _entries.Remove(key);
    }

    /// <summary>Waits for the next active pod and marks it in flight.</summary>
    public async Task<QueuedPod> PopAsync(CancellationToken ct)
    {
        while (true)
        {
            await _available.WaitAsync(ct);
            lock (_sync)
            {
                var key = _active.Dequeue();
                if (!_entries.TryGetValue(key, out var entry) || entry.State != QueueState.Active) continue;
                entry.State = QueueState.InFlight;
                entry.Attempts++;
                return new QueuedPod(entry.Pod, _moveCycle);
            }
        }
    }

    /// <summary>The pod was placed (assumed): the queue is done with it.</summary>
    public void Done(string key) => Delete(key);

    /// <summary>
    /// No node fits the pod taken at <paramref name="popped"/>: park it until a move request, or put it in back-off
    /// if one came while it was being scheduled.
    /// </summary>
    public void Unschedulable(string key, QueuedPod popped)
    {
        lock (_sync)
        {
            if (!_entries.TryGetValue(key, out var entry) || entry.State != QueueState.InFlight) return;
            if (_moveCycle > popped.MoveCycle) BackoffLocked(key, entry);
            else
            {
                entry.State = QueueState.Unschedulable;
                entry.At = time.GetUtcNow();
            }
        }
    }

    /// <summary>Scheduling or binding failed for another reason (e.g. the API refused the binding): retry after back-off.</summary>
    public void Retry(V1Pod pod)
    {
        var key = ObjectKey.Of(pod);
        lock (_sync)
        {
            if (!_entries.TryGetValue(key, out var entry)) _entries[key] = entry = new Entry(pod) { Attempts = 1 };
            BackoffLocked(key, entry);
        }
    }

    /// <summary>Something changed that may make unschedulable pods fit (node added or changed, bound pod deleted).</summary>
    public void MoveAllToActiveOrBackoff()
    {
        lock (_sync)
        {
            _moveCycle++;
            foreach (var (key, entry) in _entries)
                if (entry.State == QueueState.Unschedulable) BackoffLocked(key, entry);
        }
    }

    /// <summary>Periodic: back-offs that ended become active; pods unschedulable for too long get retried.</summary>
    public void Flush()
    {
        var now = time.GetUtcNow();
        lock (_sync)
        {
            foreach (var (key, entry) in _entries)
            {
                if (entry.State == QueueState.Backoff && entry.At <= now) ActivateLocked(key, entry);
                else if (entry.State == QueueState.Unschedulable && now - entry.At >= UnschedulableTimeout) ActivateLocked(key, entry);
            }
        }
    }

    /// <summary>How many pods are in each state (diagnostics, tests).</summary>
    public IReadOnlyDictionary<QueueState, int> Counts()
    {
        lock (_sync) return _entries.Values.GroupBy(e => e.State).ToDictionary(g => g.Key, g => g.Count());
    }

    /// <summary>The state of one pod, or null if the queue does not hold it.</summary>
    public QueueState? StateOf(string key)
    {
        lock (_sync) return _entries.TryGetValue(key, out var e) ? e.State : null;
    }

    /// <summary>The back-off after <paramref name="attempts"/> failed attempts: 1 s, 2 s, 4 s, 8 s, then 10 s.</summary>
    public static TimeSpan BackoffFor(int attempts)
    {
        var backoff = InitialBackoff;
        for (var i = 1; i < attempts && backoff < MaxBackoff; i++) backoff *= 2;
        return backoff < MaxBackoff ? backoff : MaxBackoff;
    }

    private void BackoffLocked(string key, Entry entry)
    {
        entry.State = QueueState.Backoff;
        entry.At = time.GetUtcNow() + BackoffFor(entry.Attempts);
    }

    private void ActivateLocked(string key, Entry entry)
    {
        entry.State = QueueState.Active;
        _active.Enqueue(key);
        _available.Release();
    }

    // Pods without labels (or, from a partial object, without a spec) are common: null compares as a value here.
    private static bool SchedulingInputsChanged(V1Pod old, V1Pod now) =>
        Json(old.Spec) != Json(now.Spec) || Json(old.Metadata?.Labels) != Json(now.Metadata?.Labels);

    private static string Json(object? value) => value is null ? "null" : KubernetesJson.Serialize(value);
}
