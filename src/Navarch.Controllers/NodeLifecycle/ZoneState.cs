namespace Navarch.Controllers.NodeLifecycle;

/// <summary>How healthy the nodes of a zone (here: the whole cluster) are, as upstream's node lifecycle controller sees it.</summary>
public enum ZoneState
{
    /// <summary>Unhealthy nodes are tainted and their pods evicted as usual.</summary>
    Normal,
    /// <summary>Many nodes are down at once: no new NoExecute taints (upstream's eviction rate for small clusters is 0).</summary>
    PartialDisruption,
    /// <summary>Every node is not ready: more likely the control plane's view than the nodes; nothing is evicted.</summary>
    FullDisruption,
}

/// <summary>Upstream's ComputeZoneState.</summary>
public static class ZoneStates
{
    /// <summary>
    /// Full disruption when no node is ready (and there is one), partial when more than two are not ready and they
    /// are at least <see cref="NodeKeys.UnhealthyZoneThreshold"/> of all, else normal.
    /// </summary>
    /// <param name="readyStatuses">Each node's Ready condition status ("True", "False", "Unknown", or null when absent).</param>
    public static ZoneState Compute(IEnumerable<string?> readyStatuses)
    {
        int ready = 0, notReady = 0;
        foreach (var s in readyStatuses)
        {
            if (s == "True") ready++;
            else notReady++;
        }
        if (ready == 0 && notReady > 0) return ZoneState.FullDisruption;
        if (notReady > 2 && (double)notReady / (ready + notReady) >= NodeKeys.UnhealthyZoneThreshold) return ZoneState.PartialDisruption;
        return ZoneState.Normal;
    }
}
