using k8s.Models;
using Microsoft.Extensions.Time.Testing;
using Navarch.Controllers.NodeLifecycle;

namespace Navarch.Controllers.Tests.NodeLifecycle;

[Trait("Category", "Unit")]
public sealed class TaintEvictionRulesTests
{
    private static readonly DateTime Start = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    private static V1Taint Unreachable(DateTime? added = null) => new() { Key = NodeKeys.UnreachableTaint, Effect = "NoExecute", TimeAdded = added ?? Start };

    private static V1Pod PodTolerating(params V1Toleration[] tolerations) => new()
    {
        Metadata = new V1ObjectMeta { Name = "p", NamespaceProperty = "default" },
        Spec = new V1PodSpec { NodeName = "node-1", Tolerations = tolerations },
    };

    private static V1Toleration Toleration(string? key, long? seconds, string op = "Exists", string? effect = "NoExecute") =>
        new() { Key = key, OperatorProperty = op, Effect = effect, TolerationSeconds = seconds };

    [Fact]
    public void Eviction_waits_for_toleration_seconds_from_when_the_taint_was_added()
    {
        var time = new FakeTimeProvider(Start);
        var pod = PodTolerating(Toleration(NodeKeys.UnreachableTaint, 2));

        var early = TaintEvictionRules.Decide(pod, [Unreachable()], time.GetUtcNow().UtcDateTime);
        time.Advance(TimeSpan.FromSeconds(2));
        var due = TaintEvictionRules.Decide(pod, [Unreachable()], time.GetUtcNow().UtcDateTime);

        Assert.Equal(new EvictionDecision(true, Start.AddSeconds(2)), early);
        Assert.True(due.Evict);
        Assert.True(due.At <= time.GetUtcNow().UtcDateTime);
    }

    public static TheoryData<string, V1Toleration[], EvictionDecision> Cases => new()
    {
        { "no toleration: at once", [], new(true, Start) },
        { "toleration of another key: at once", [Toleration(NodeKeys.NotReadyTaint, 300)], new(true, Start) },
        { "toleration for NoSchedule only: at once", [Toleration(NodeKeys.UnreachableTaint, null, effect: "NoSchedule")], new(true, Start) },
        { "tolerated forever: stays", [Toleration(NodeKeys.UnreachableTaint, null)], EvictionDecision.Stay },
        { "empty key with Exists tolerates all", [Toleration(null, null)], EvictionDecision.Stay },
        { "default 300 s", [Toleration(NodeKeys.UnreachableTaint, 300)], new(true, Start.AddSeconds(300)) },
        { "smallest of several matching tolerations", [Toleration(NodeKeys.UnreachableTaint, 300), Toleration(null, 5)], new(true, Start.AddSeconds(5)) },
        { "negative seconds: at once", [Toleration(NodeKeys.UnreachableTaint, -1)], new(true, Start) },
        { "Equal with the wrong value: at once", [new V1Toleration { Key = NodeKeys.UnreachableTaint, OperatorProperty = "Equal", Value = "x", Effect = "NoExecute" }], new(true, Start) },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Decisions(string because, V1Toleration[] tolerations, EvictionDecision expected)
    {
        Assert.True(expected == TaintEvictionRules.Decide(PodTolerating(tolerations), [Unreachable()], Start), because);
    }

    [Fact]
    public void A_node_without_no_execute_taints_keeps_its_pods()
    {
        var noSchedule = new V1Taint { Key = NodeKeys.UnreachableTaint, Effect = "NoSchedule" };
        Assert.Equal(EvictionDecision.Stay, TaintEvictionRules.Decide(PodTolerating(), [noSchedule], Start));
    }

    [Fact]
    public void A_taint_without_time_added_counts_from_when_it_was_first_seen()
    {
        var seen = Start.AddSeconds(10);
        var decision = TaintEvictionRules.Decide(PodTolerating(Toleration(null, 3)), [new V1Taint { Key = "k", Effect = "NoExecute" }], Start.AddSeconds(11), _ => seen);
        Assert.Equal(seen.AddSeconds(3), decision.At);
    }
}
