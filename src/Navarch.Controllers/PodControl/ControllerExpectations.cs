namespace Navarch.Controllers.PodControl;

/// <summary>
/// Upstream's (UID-tracking) ControllerExpectations: the creates and deletes a controller has asked for and
/// not yet seen through its informer. While some are outstanding the controller must not count pods again
/// (its cache is behind its own writes), unless they are older than <see cref="Timeout"/> (a lost event).
/// Deletes are tracked per pod key so that a pod seen twice (terminating, then gone) lowers them once.
/// </summary>
public sealed class ControllerExpectations(TimeProvider time)
{
    /// <summary>How long expectations hold before the controller counts again regardless (upstream's ExpectationsTimeout).</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);

    private sealed class Entry
    {
        public int Adds;
        public int Deletes;
        public DateTimeOffset SetAt;
        public HashSet<string> PendingDeletes = [];
    }

    // Guards _entries and every Entry in it.
    private readonly object _lock = new();
    private readonly Dictionary<string, Entry> _entries = [];

    /// <summary>True when the controller may count pods: no expectations, all met, or expired.</summary>
    public bool Satisfied(string controllerKey)
    {
        lock (_lock)
        {
            if (!_entries.TryGetValue(controllerKey, out var e)) return true;
            return (e.Adds <= 0 && e.Deletes <= 0) || time.GetUtcNow() - e.SetAt > Timeout;
        }
    }

    /// <summary>Replaces the expectations of <paramref name="controllerKey"/> with <paramref name="count"/> creates.</summary>
    public void ExpectCreations(string controllerKey, int count)
    {
        lock (_lock) _entries[controllerKey] = new Entry { Adds = count, SetAt = time.GetUtcNow() };
    }

    /// <summary>Replaces the expectations of <paramref name="controllerKey"/> with deletes of these pods.</summary>
    public void ExpectDeletions(string controllerKey, IEnumerable<string> podKeys)
    {
        var keys = podKeys.ToHashSet();
        lock (_lock) _entries[controllerKey] = new Entry { Deletes = keys.Count, PendingDeletes = keys, SetAt = time.GetUtcNow() };
    }

    /// <summary>A pod of the controller appeared (or a create will never produce one).</summary>
    public void CreationObserved(string controllerKey)
    {
        lock (_lock)
            if (_entries.TryGetValue(controllerKey, out var e)) e.Adds--;
    }

    /// <summary>A pod the controller deleted is terminating or gone (or its delete failed); counts once per pod.</summary>
    public void DeletionObserved(string controllerKey, string podKey)
    {
        lock (_lock)
            if (_entries.TryGetValue(controllerKey, out var e) && e.PendingDeletes.Remove(podKey)) e.Deletes--;
    }

    /// <summary>Drops every expectation of a controller (it was deleted).</summary>
    public void Forget(string controllerKey)
    {
        lock (_lock) _entries.Remove(controllerKey);
    }

    /// <summary>Outstanding (creates, deletes), for tests and logs; (0, 0) when none.</summary>
    public (int Adds, int Deletes) Pending(string controllerKey)
    {
        lock (_lock) return _entries.TryGetValue(controllerKey, out var e) ? (e.Adds, e.Deletes) : (0, 0);
    }
}
