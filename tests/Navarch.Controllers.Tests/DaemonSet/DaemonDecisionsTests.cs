using k8s.Models;
using Navarch.Controllers.DaemonSet;

namespace Navarch.Controllers.Tests.DaemonSet;

[Trait("Category", "Unit")]
public sealed class DaemonDecisionsTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);

    private static V1DaemonSet NewDaemonSet(string? maxUnavailable = null, string strategy = "RollingUpdate", IList<V1Toleration>? tolerations = null,
        IDictionary<string, string>? nodeSelector = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = "agent", NamespaceProperty = "kube-system", Uid = "ds-uid", Generation = 2 },
        Spec = new V1DaemonSetSpec
        {
            Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "agent" } },
            UpdateStrategy = new V1DaemonSetUpdateStrategy { Type = strategy, RollingUpdate = maxUnavailable is null ? null : new V1RollingUpdateDaemonSet { MaxUnavailable = maxUnavailable } },
            Template = new V1PodTemplateSpec
            {
                Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = "agent" } },
                Spec = new V1PodSpec { Containers = [new V1Container { Name = "a", Image = "busybox" }], Tolerations = tolerations, NodeSelector = nodeSelector },
            },
        },
    };

    private static V1Node Node(string name, string? taint = null, string? zone = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, Labels = zone is null ? null : new Dictionary<string, string> { ["zone"] = zone } },
        Spec = new V1NodeSpec { Taints = taint is null ? null : [new V1Taint { Key = taint, Effect = "NoSchedule" }] },
    };

    private static V1Pod Pod(string name, string node, string hash, bool ready = true, string phase = "Running") => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = name, Uid = name, CreationTimestamp = Now.UtcDateTime.AddMinutes(-5),
            Labels = new Dictionary<string, string> { ["app"] = "agent", [DaemonPods.RevisionHashLabel] = hash },
        },
        Spec = new V1PodSpec { NodeName = node },
        Status = new V1PodStatus { Phase = phase, Conditions = ready ? [new V1PodCondition { Type = "Ready", Status = "True", LastTransitionTime = Now.UtcDateTime.AddMinutes(-4) }] : null },
    };

    [Fact]
    public void One_pod_per_eligible_node_and_none_on_a_tainted_node_unless_tolerated()
    {
        V1Node[] nodes = [Node("n1"), Node("n2"), Node("n3", taint: "dedicated")];
        var plan = DaemonDecisions.Plan(NewDaemonSet(), nodes, [Pod("p1", "n1", "h")], "h", Now);
        Assert.Equal(["n2"], plan.CreateOn);
        Assert.Equal((2, 1, 1), (plan.Status.DesiredNumberScheduled, plan.Status.CurrentNumberScheduled, plan.Status.UpdatedNumberScheduled));

        var tolerant = NewDaemonSet(tolerations: [new V1Toleration { Key = "dedicated", OperatorProperty = "Exists", Effect = "NoSchedule" }]);
        Assert.Equal(["n2", "n3"], DaemonDecisions.Plan(tolerant, nodes, [Pod("p1", "n1", "h")], "h", Now).CreateOn);
    }

    [Fact]
    public void Daemons_tolerate_cordoned_and_unready_nodes_by_default()
    {
        var node = Node("n1", taint: "node.kubernetes.io/unschedulable");
        Assert.True(DaemonPods.ShouldRun(NewDaemonSet(), node));
        var pod = DaemonPods.NewPod(NewDaemonSet(), "n1", "h");
        Assert.Contains(pod.Spec.Tolerations, t => t.Key == "node.kubernetes.io/not-ready" && t.Effect == "NoExecute");
        var field = pod.Spec.Affinity.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms.Single().MatchFields.Single();
        Assert.Equal(("metadata.name", "In", "n1"), (field.Key, field.OperatorProperty, field.Values.Single()));
        Assert.Equal("n1", DaemonPods.TargetNode(pod));
        Assert.Equal("h", pod.Metadata.Labels[DaemonPods.RevisionHashLabel]);
    }

    [Fact]
    public void A_node_selector_limits_the_nodes_and_misplaced_pods_go()
    {
        var ds = NewDaemonSet(nodeSelector: new Dictionary<string, string> { ["zone"] = "a" });
        var plan = DaemonDecisions.Plan(ds, [Node("n1", zone: "a"), Node("n2", zone: "b")], [Pod("p2", "n2", "h")], "h", Now);
        Assert.Equal(["n1"], plan.CreateOn);
        Assert.Equal("p2", plan.Delete.Single().Metadata.Name);
        Assert.Equal(1, plan.Status.NumberMisscheduled);
    }

    [Fact]
    public void A_rolling_update_replaces_max_unavailable_nodes_at_a_time()
    {
        V1Node[] nodes = [Node("n1"), Node("n2"), Node("n3")];
        V1Pod[] pods = [Pod("p1", "n1", "old"), Pod("p2", "n2", "old"), Pod("p3", "n3", "old")];
        Assert.Single(DaemonDecisions.Plan(NewDaemonSet(), nodes, pods, "new", Now).Delete);
        Assert.Equal(2, DaemonDecisions.Plan(NewDaemonSet(maxUnavailable: "2"), nodes, pods, "new", Now).Delete.Count);
        // One node already unavailable (being replaced): no further deletes.
        Assert.Empty(DaemonDecisions.Plan(NewDaemonSet(), nodes, [Pod("p1", "n1", "new", ready: false), pods[1], pods[2]], "new", Now).Delete);
        Assert.Empty(DaemonDecisions.Plan(NewDaemonSet(strategy: "OnDelete"), nodes, pods, "new", Now).Delete);
    }

    [Fact]
    public void Failed_and_duplicate_daemon_pods_are_deleted()
    {
        var plan = DaemonDecisions.Plan(NewDaemonSet(), [Node("n1"), Node("n2")],
            [Pod("failed", "n1", "h", phase: "Failed"), Pod("a", "n2", "h"), Pod("b", "n2", "h")], "h", Now);
        Assert.Equal(["b", "failed"], plan.Delete.Select(p => p.Metadata.Name).Order());
    }

    [Fact]
    public void Revisions_hold_the_template_as_a_patch_and_old_unused_ones_are_pruned()
    {
        var ds = NewDaemonSet();
        ds.Spec.RevisionHistoryLimit = 1;
        var rev = DaemonRevisions.New(ds, "h3", 3);
        Assert.Equal(("agent-h3", 3L, "h3", "agent"), (rev.Metadata.Name, rev.Revision, rev.Metadata.Labels[DaemonPods.RevisionHashLabel], rev.Metadata.Labels["app"]));
        Assert.Contains("\"$patch\":\"replace\"", k8s.KubernetesJson.Serialize(rev.Data));
        V1ControllerRevision[] all = [DaemonRevisions.New(ds, "h1", 1), DaemonRevisions.New(ds, "h2", 2), rev];
        Assert.Equal(["agent-h1"], DaemonRevisions.ToPrune(ds, all, "h3", []).Select(r => r.Metadata.Name));
    }
}
