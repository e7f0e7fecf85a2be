using k8s.Models;

namespace Navarch.Scheduler.Framework;

/// <summary>
/// What a pod asks of a node, as upstream computes it: the sum of its containers, or the largest init
/// container if that is more (init containers run one at a time, before the others; restartable "sidecar"
/// init containers keep running, so they add to everything after them), plus the pod's overhead.
/// </summary>
public static class PodRequests
{
    /// <summary>The pod's requests; with <paramref name="nonZero"/>, containers without requests count upstream's defaults.</summary>
    public static Resources Of(V1PodSpec spec, bool nonZero)
    {
        var containers = new Resources();
        foreach (var c in spec.Containers ?? []) containers += Resources.OfContainer(c, nonZero);
        var sidecars = new Resources();
        var initMax = new Resources();
        foreach (var c in spec.InitContainers ?? [])
        {
            var r = Resources.OfContainer(c, nonZero);
            if (c.RestartPolicy == "Always") sidecars += r;
            else initMax = Resources.Max(initMax, r + sidecars);
        }
        var total = Resources.Max(containers + sidecars, initMax);
        if (spec.Overhead is { Count: > 0 } overhead) total += Resources.From(overhead) with { Pods = 0 };
        return total with { Pods = 1 };
    }
}
