using k8s.Models;
using Navarch.Controllers.PodControl;
using Navarch.Scheduler.Plugins.NodeAffinity;
using Navarch.Scheduler.Plugins.TaintToleration;

namespace Navarch.Controllers.DaemonSet;

/// <summary>Which nodes a DaemonSet runs on and what its pods look like (upstream's daemon/util and nodeShouldRunDaemonPod).</summary>
public static class DaemonPods
{
    public const string RevisionHashLabel = "controller-revision-hash";

    /// <summary>Upstream's AddOrUpdateDaemonPodTolerations: daemons stay on nodes that are unready, under pressure or cordoned.</summary>
    public static IReadOnlyList<V1Toleration> DefaultTolerations(bool hostNetwork)
    {
        List<V1Toleration> t =
        [
            new() { Key = "node.kubernetes.io/not-ready", OperatorProperty = "Exists", Effect = "NoExecute" },
            new() { Key = "node.kubernetes.io/unreachable", OperatorProperty = "Exists", Effect = "NoExecute" },
            new() { Key = "node.kubernetes.io/disk-pressure", OperatorProperty = "Exists", Effect = "NoSchedule" },
            new() { Key = "node.kubernetes.io/memory-pressure", OperatorProperty = "Exists", Effect = "NoSchedule" },
            new() { Key = "node.kubernetes.io/pid-pressure", OperatorProperty = "Exists", Effect = "NoSchedule" },
            new() { Key = "node.kubernetes.io/unschedulable", OperatorProperty = "Exists", Effect = "NoSchedule" },
        ];
        if (hostNetwork) t.Add(new() { Key = "node.kubernetes.io/network-unavailable", OperatorProperty = "Exists", Effect = "NoSchedule" });
        return t;
    }

    /// <summary>
    /// Upstream's nodeShouldRunDaemonPod: the template's nodeSelector and required node affinity match the node, and
    /// its tolerations (with the defaults) tolerate every NoSchedule and NoExecute taint of the node.
    /// </summary>
    public static bool ShouldRun(V1DaemonSet ds, V1Node node)
    {
        var spec = ds.Spec?.Template?.Spec;
        if (spec?.NodeSelector is { Count: > 0 } selector &&
            !selector.All(kv => node.Metadata.Labels?.TryGetValue(kv.Key, out var v) == true && v == kv.Value)) return false;
        if (spec?.Affinity?.NodeAffinity?.RequiredDuringSchedulingIgnoredDuringExecution is { } required && !NodeSelectorMatcher.Matches(required, node)) return false;
        var tolerations = (spec?.Tolerations ?? []).Concat(DefaultTolerations(spec?.HostNetwork == true)).ToList();
        return (node.Spec?.Taints ?? []).Where(t => t.Effect is "NoSchedule" or "NoExecute").All(t => Tolerations.AnyTolerates(tolerations, t));
    }

    /// <summary>
    /// A daemon pod for <paramref name="node"/>: the template, the revision hash label, the default tolerations, and
    /// required node affinity to exactly that node (upstream lets the scheduler bind it there).
    /// </summary>
    public static V1Pod NewPod(V1DaemonSet ds, string node, string hash)
    {
        var pod = PodTemplate.NewPod(ds.Spec?.Template, ds.Metadata, ControllerRefs.For("apps/v1", "DaemonSet", ds.Metadata));
        (pod.Metadata.Labels ??= new Dictionary<string, string>())[RevisionHashLabel] = hash;
        var tolerations = pod.Spec.Tolerations ??= [];
        foreach (var t in DefaultTolerations(pod.Spec.HostNetwork == true))
            if (!tolerations.Any(have => have.Key == t.Key && have.Effect == t.Effect)) tolerations.Add(t);
        pod.Spec.Affinity ??= new V1Affinity();
        pod.Spec.Affinity.NodeAffinity ??= new V1NodeAffinity();
        pod.Spec.Affinity.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution = new V1NodeSelector
        {
            NodeSelectorTerms = [new V1NodeSelectorTerm { MatchFields = [new V1NodeSelectorRequirement { Key = "metadata.name", OperatorProperty = "In", Values = [node] }] }],
        };
        return pod;
    }

    /// <summary>The node a daemon pod is for: where it is bound, else the node its affinity names.</summary>
    public static string? TargetNode(V1Pod pod) =>
        !string.IsNullOrEmpty(pod.Spec?.NodeName) ? pod.Spec.NodeName
        : pod.Spec?.Affinity?.NodeAffinity?.RequiredDuringSchedulingIgnoredDuringExecution?.NodeSelectorTerms?
            .SelectMany(t => t.MatchFields ?? []).FirstOrDefault(f => f.Key == "metadata.name" && f.OperatorProperty == "In")?.Values?.FirstOrDefault();

    public static string? HashOf(V1Pod pod) => pod.Metadata.Labels?.TryGetValue(RevisionHashLabel, out var h) == true ? h : null;
}
