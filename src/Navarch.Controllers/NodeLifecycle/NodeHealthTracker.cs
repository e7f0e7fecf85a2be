using k8s.Models;

namespace Navarch.Controllers.NodeLifecycle;

/// <summary>
/// When each node was last heard from, measured on the controller's clock (as upstream's nodeHealthMap): a new
/// Ready heartbeat time in the node's status or a newer Lease renewTime counts as hearing from it. Comparing
/// the node's timestamps with each other, never with our clock, keeps clock skew out of it.
/// </summary>
public sealed class NodeHealthTracker
{
    private sealed class Entry
    {
        public DateTimeOffset ProbeTime;
        public DateTime? ReadyHeartbeat;
        public bool HadReady;
        public DateTime? LeaseRenew;
    }

    // Guards _entries (the monitor pass and resets may come from different threads).
    private readonly object _lock = new();
    private readonly Dictionary<string, Entry> _entries = [];

    /// <summary>Records what the node and its lease say now; returns when the node was last heard from.</summary>
    public DateTimeOffset Observe(V1Node node, V1Lease? lease, DateTimeOffset now)
    {
        var ready = node.Status?.Conditions?.FirstOrDefault(c => c.Type == "Ready");
        lock (_lock)
        {
            if (!_entries.TryGetValue(node.Metadata.Name, out var e))
            {
                // A node seen for the first time gets a full grace period (from its creation if it never reported).
                var start = ready is null && node.Metadata.CreationTimestamp is { } created ? new DateTimeOffset(DateTime.SpecifyKind(created, DateTimeKind.Utc)) : now;
                e = _entries[node.Metadata.Name] = new Entry { ProbeTime = start, ReadyHeartbeat = ready?.LastHeartbeatTime, HadReady = ready is not null, LeaseRenew = lease?.Spec?.RenewTime };
                return e.ProbeTime;
            }
            if ((ready is null) != !e.HadReady || (ready is not null && ready.LastHeartbeatTime != e.ReadyHeartbeat))
            {
                e.ProbeTime = now;
                e.HadReady = ready is not null;
                e.ReadyHeartbeat = ready?.LastHeartbeatTime;
            }
            if (lease?.Spec?.RenewTime is { } renew && (e.LeaseRenew is null || renew > e.LeaseRenew))
            {
                e.ProbeTime = now;
                e.LeaseRenew = renew;
            }
            return e.ProbeTime;
        }
    }

    public void Forget(string node)
    {
        lock (_lock) _entries.Remove(node);
    }
}
