using k8s.Models;
using Navarch.Scheduler.Framework;
using Navarch.Scheduler.Plugins.TaintToleration;

namespace Navarch.Scheduler.Tests.Plugins;

[Trait("Category", "Unit")]
public class TaintTolerationTests
{
    public static TheoryData<string, V1Toleration, V1Taint, bool> ToleratesCases => new()
    {
        { "same key, value, effect", new() { Key = "k", Value = "v", Effect = "NoSchedule" }, Build.Taint("k", "v", "NoSchedule"), true },
        { "different value", new() { Key = "k", Value = "x", Effect = "NoSchedule" }, Build.Taint("k", "v", "NoSchedule"), false },
        { "Exists ignores value", new() { Key = "k", OperatorProperty = "Exists", Effect = "NoSchedule" }, Build.Taint("k", "v", "NoSchedule"), true },
        { "empty effect matches any", new() { Key = "k", OperatorProperty = "Exists" }, Build.Taint("k", "", "NoExecute"), true },
        { "other effect", new() { Key = "k", OperatorProperty = "Exists", Effect = "NoSchedule" }, Build.Taint("k", "", "NoExecute"), false },
        { "empty key Exists tolerates all", new() { OperatorProperty = "Exists" }, Build.Taint("anything", "v", "NoExecute"), true },
        { "other key", new() { Key = "a", OperatorProperty = "Exists" }, Build.Taint("b", "", "NoSchedule"), false },
    };

    [Theory]
    [MemberData(nameof(ToleratesCases))]
    public void Toleration_matching_follows_upstream(string name, V1Toleration toleration, V1Taint taint, bool tolerated)
    {
        Assert.True(Tolerations.Tolerates(toleration, taint) == tolerated, name);
    }

    public static TheoryData<string, V1Taint[], V1Toleration[], string?> FilterCases => new()
    {
        { "no taints", [], [], null },
        { "NoSchedule untolerated", [Build.Taint("dedicated", "gpu", "NoSchedule")], [], "node(s) had untolerated taint {dedicated: gpu}" },
        { "NoExecute untolerated, empty value", [Build.Taint("node.kubernetes.io/unreachable", "", "NoExecute")], [],
          "node(s) had untolerated taint {node.kubernetes.io/unreachable: }" },
        { "tolerated", [Build.Taint("dedicated", "gpu", "NoSchedule")], [new() { Key = "dedicated", Value = "gpu", Effect = "NoSchedule" }], null },
        { "PreferNoSchedule only scores", [Build.Taint("soft", "", "PreferNoSchedule")], [], null },
    };

    [Theory]
    [MemberData(nameof(FilterCases))]
    public void Filter_rejects_untolerated_hard_taints(string name, V1Taint[] taints, V1Toleration[] tolerations, string? reason)
    {
        var pod = Build.Pod("p");
        pod.Spec.Tolerations = tolerations;
        var node = Build.Info(Build.Node("n", taints: taints));
        var status = new TaintToleration().Filter(Build.State(pod, node), node);
        Assert.True(reason is null ? status.IsSuccess : status.Code == StatusCode.UnschedulableAndUnresolvable && status.Reasons.Single() == reason, $"{name}: {status}");
    }

    [Fact]
    public void Score_prefers_nodes_without_untolerated_PreferNoSchedule_taints()
    {
        var plain = Build.Info(Build.Node("plain"));
        var soft = Build.Info(Build.Node("soft", taints: [Build.Taint("soft", "", "PreferNoSchedule")]));
        var plugin = new TaintToleration();
        var state = Build.State(Build.Pod("p"), plain, soft);
        Assert.True(plugin.PreScore(state, [plain, soft]));
        Span<long> scores = [plugin.Score(state, plain), plugin.Score(state, soft)];
        plugin.Normalize(state, scores);
        Assert.Equal([100L, 0L], scores.ToArray());
    }
}
