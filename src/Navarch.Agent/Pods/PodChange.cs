using k8s;
using k8s.Models;

namespace Navarch.Agent.Pods;

/// <summary>
/// Tells the agent's own status writes apart from changes it must act on. Like upstream's pod config
/// (<c>checkAndUpdatePod</c>), an update that changes only the status (and the resourceVersion and managed
/// fields that come with it) needs no sync: the agent owns the status, and every pod it starts would otherwise
/// be synced once more for the echo of its own status write, holding a worker while other pods wait.
/// </summary>
public static class PodChange
{
    /// <summary>Whether <paramref name="after"/> differs from <paramref name="before"/> in its status (or nothing) only.</summary>
    public static bool IsStatusOnly(V1Pod before, V1Pod after)
    {
        var (a, b) = (before.Metadata, after.Metadata);
        return a.Uid == b.Uid
            && a.DeletionTimestamp == b.DeletionTimestamp
            && a.DeletionGracePeriodSeconds == b.DeletionGracePeriodSeconds
            && SameMap(a.Labels, b.Labels)
            && SameMap(a.Annotations, b.Annotations)
            && KubernetesJson.Serialize(before.Spec) == KubernetesJson.Serialize(after.Spec);
    }

    private static bool SameMap(IDictionary<string, string>? x, IDictionary<string, string>? y) =>
        (x?.Count ?? 0) == (y?.Count ?? 0) && (x is null || x.All(kv => y!.TryGetValue(kv.Key, out var v) && v == kv.Value));
}
