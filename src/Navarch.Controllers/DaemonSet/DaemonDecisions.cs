using k8s.Models;
using Navarch.Controllers.Deployment;
using Navarch.Controllers.PodControl;

namespace Navarch.Controllers.DaemonSet;

/// <param name="CreateOn">Nodes to create a daemon pod on.</param>
/// <param name="Delete">Pods to delete (surplus, misplaced, failed, or old during a rolling update).</param>
public sealed record DaemonPlan(IReadOnlyList<string> CreateOn, IReadOnlyList<V1Pod> Delete, V1DaemonSetStatus Status);

/// <summary>What a DaemonSet should do on each node, as a pure function (upstream's daemon_controller.go manage and rollingUpdate).</summary>
public static class DaemonDecisions
{
    public static DaemonPlan Plan(V1DaemonSet ds, IReadOnlyList<V1Node> nodes, IReadOnlyList<V1Pod> owned, string hash, DateTimeOffset now)
    {
        var minReady = ds.Spec?.MinReadySeconds ?? 0;
        var byNode = owned.Where(p => p.Metadata.DeletionTimestamp is null).GroupBy(p => DaemonPods.TargetNode(p) ?? "").ToDictionary(g => g.Key, g => g.ToList());
        List<string> create = [];
        List<V1Pod> delete = [];
        // Nodes that keep a running daemon pod, for the rolling update and the status.
        var kept = new Dictionary<string, V1Pod>();
        int desired = 0, scheduled = 0, misscheduled = 0;
        foreach (var node in nodes)
        {
            var name = node.Metadata.Name;
            var pods = byNode.GetValueOrDefault(name) ?? [];
            if (!DaemonPods.ShouldRun(ds, node))
            {
                if (pods.Count > 0) misscheduled++;
                delete.AddRange(pods);
                continue;
            }
            desired++;
            // Failed daemon pods are replaced (upstream deletes them; the next sync creates anew).
            var failed = pods.Where(p => p.Status?.Phase == "Failed").ToList();
            delete.AddRange(failed);
            var live = pods.Except(failed).OrderBy(p => p.Metadata.CreationTimestamp ?? DateTime.MinValue).ThenBy(p => p.Metadata.Name, StringComparer.Ordinal).ToList();
            if (live.Count == 0)
            {
                if (failed.Count == 0) create.Add(name);
                continue;
            }
            scheduled++;
            // Several pods on one node: keep the updated one if any, else the oldest.
            var keep = live.FirstOrDefault(p => DaemonPods.HashOf(p) == hash) ?? live[0];
            kept[name] = keep;
            delete.AddRange(live.Where(p => p != keep));
        }
        foreach (var (node, pods) in byNode)
            if (node.Length > 0 && nodes.All(n => n.Metadata.Name != node)) delete.AddRange(pods);

        if (ds.Spec?.UpdateStrategy?.Type is null or "RollingUpdate")
            delete.AddRange(RollingUpdateDeletes(ds, desired, kept, hash, now));

        var status = new V1DaemonSetStatus
        {
            DesiredNumberScheduled = desired,
            CurrentNumberScheduled = scheduled,
            NumberMisscheduled = misscheduled,
            NumberReady = kept.Values.Count(PodFacts.IsReady),
            NumberAvailable = kept.Values.Count(p => PodFacts.IsAvailable(p, minReady, now)),
            UpdatedNumberScheduled = kept.Values.Count(p => DaemonPods.HashOf(p) == hash),
            ObservedGeneration = ds.Metadata.Generation,
            CollisionCount = ds.Status?.CollisionCount,
        };
        status.NumberUnavailable = Math.Max(0, desired - status.NumberAvailable.Value);
        if (status.NumberUnavailable == 0) status.NumberUnavailable = null;
        return new DaemonPlan(create, delete.Distinct().ToList(), status);
    }

    /// <summary>
    /// Upstream's rollingUpdate (maxSurge 0): old pods that are not available go at once; available old pods go on
    /// as many nodes as maxUnavailable (default 1) leaves room for beside the nodes already unavailable.
    /// </summary>
    private static IEnumerable<V1Pod> RollingUpdateDeletes(V1DaemonSet ds, int desired, Dictionary<string, V1Pod> kept, string hash, DateTimeOffset now)
    {
        var minReady = ds.Spec?.MinReadySeconds ?? 0;
        var maxUnavailable = Math.Max(1, IntOrPercent.Scaled(ds.Spec?.UpdateStrategy?.RollingUpdate?.MaxUnavailable, desired, roundUp: true, fallback: 1));
        var unavailable = desired - kept.Values.Count(p => PodFacts.IsAvailable(p, minReady, now));
        var old = kept.Values.Where(p => DaemonPods.HashOf(p) != hash).ToList();
        foreach (var p in old.Where(p => !PodFacts.IsAvailable(p, minReady, now))) yield return p;
        var budget = maxUnavailable - unavailable;
        foreach (var p in old.Where(p => PodFacts.IsAvailable(p, minReady, now)).OrderBy(p => p.Metadata.Name, StringComparer.Ordinal))
        {
            if (budget-- <= 0) yield break;
            yield return p;
        }
    }
}
