using k8s.Models;
using Microsoft.Extensions.Time.Testing;
using Navarch.Controllers.NodeLifecycle;

namespace Navarch.Controllers.Tests.NodeLifecycle;

[Trait("Category", "Unit")]
public sealed class NodeMonitorTests
{
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(4);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly NodeMonitor _monitor = new(Grace);
    private readonly Dictionary<string, V1Lease> _leases = [];

    private DateTime Now => _time.GetUtcNow().UtcDateTime;

    private V1Node Node(string name, string ready = "True", DateTime? heartbeat = null, params V1Taint[] taints) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, CreationTimestamp = Now },
        Spec = new V1NodeSpec { Taints = taints },
        Status = new V1NodeStatus
        {
            Conditions =
            [
                new V1NodeCondition { Type = "Ready", Status = ready, LastHeartbeatTime = heartbeat ?? Now, LastTransitionTime = Now },
                new V1NodeCondition { Type = "MemoryPressure", Status = "False", LastHeartbeatTime = heartbeat ?? Now },
            ],
        },
    };

    private void Renew(string node) =>
        _leases[node] = new V1Lease { Metadata = new V1ObjectMeta { Name = node }, Spec = new V1LeaseSpec { RenewTime = Now } };

    private MonitorPlan Pass(params V1Node[] nodes) => _monitor.Plan(nodes, n => _leases.GetValueOrDefault(n), _time.GetUtcNow());

    [Fact]
    public void A_node_that_keeps_renewing_its_lease_stays_ready_though_its_status_is_old()
    {
        var node = Node("n1");
        Renew("n1");
        Pass(node);
        for (var i = 0; i < 5; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(2));
            Renew("n1");
        }

        var plan = Pass(node);

        Assert.Empty(plan.StatusChanges);
        Assert.Empty(plan.NotReady);
        Assert.Empty(plan.TaintChanges);
    }

    [Fact]
    public void A_silent_node_goes_unknown_after_the_grace_period_and_gets_both_unreachable_taints()
    {
        var silent = Node("n1");
        var healthy = Node("n2");
        var plan = Pass(silent, healthy);
        Assert.Equal(["n1", "n2"], plan.Registered.Select(n => n.Metadata.Name));

        _time.Advance(Grace);
        Assert.Empty(Pass(silent, healthy = Node("n2")).StatusChanges);
        _time.Advance(TimeSpan.FromSeconds(1));
        plan = Pass(silent, Node("n2"));

        var change = Assert.Single(plan.StatusChanges);
        Assert.Equal("n1", change.Node.Metadata.Name);
        var ready = change.Conditions.Single(c => c.Type == "Ready");
        Assert.Equal(("Unknown", "NodeStatusUnknown", "Kubelet stopped posting node status."), (ready.Status, ready.Reason, ready.Message));
        Assert.Equal(silent.Status.Conditions[0].LastHeartbeatTime, ready.LastHeartbeatTime);
        Assert.Equal("Unknown", change.Conditions.Single(c => c.Type == "MemoryPressure").Status);
        Assert.Equal("NodeStatusNeverUpdated", change.Conditions.Single(c => c.Type == "DiskPressure").Reason);
        Assert.Equal(["n1"], plan.BecameNotReady);
        Assert.Equal(["n1"], plan.NotReady);
        var taints = plan.TaintChanges["n1"];
        Assert.Contains(taints, t => t.Key == NodeKeys.UnreachableTaint && t.Effect == "NoExecute" && t.TimeAdded == Now);
        Assert.Contains(taints, t => t.Key == NodeKeys.UnreachableTaint && t.Effect == "NoSchedule");
        Assert.False(plan.TaintChanges.ContainsKey("n2"));
        Assert.Equal(ZoneState.Normal, plan.Zone);
    }

    [Fact]
    public void A_node_reporting_not_ready_gets_the_not_ready_taints_without_waiting()
    {
        var plan = Pass(Node("n1", ready: "False"), Node("n2"));

        Assert.Empty(plan.StatusChanges);
        Assert.Contains(plan.TaintChanges["n1"], t => t.Key == NodeKeys.NotReadyTaint && t.Effect == "NoExecute");
    }

    [Fact]
    public void A_node_that_comes_back_loses_the_taints_and_nothing_else_of_others_is_touched()
    {
        var custom = new V1Taint { Key = "dedicated", Value = "db", Effect = "NoSchedule" };
        var tainted = Node("n1", "True", null,
            custom,
            new V1Taint { Key = NodeKeys.UnreachableTaint, Effect = "NoExecute", TimeAdded = Now },
            new V1Taint { Key = NodeKeys.UnreachableTaint, Effect = "NoSchedule" });

        var plan = Pass(tainted);

        Assert.Equal([custom], plan.TaintChanges["n1"]);
    }

    [Fact]
    public void When_every_node_is_down_nothing_gets_a_no_execute_taint_and_existing_ones_go()
    {
        var a = Node("n1");
        var b = Node("n2");
        Pass(a, b);
        _time.Advance(Grace + TimeSpan.FromSeconds(1));
        var alreadyTainted = Node("n2", "True", b.Status.Conditions[0].LastHeartbeatTime,
            new V1Taint { Key = NodeKeys.UnreachableTaint, Effect = "NoExecute", TimeAdded = Now });

        var plan = Pass(a, alreadyTainted);

        Assert.Equal(ZoneState.FullDisruption, plan.Zone);
        Assert.Equal(2, plan.StatusChanges.Count);
        Assert.All(plan.TaintChanges.Values, taints => Assert.DoesNotContain(taints, t => t.Effect == "NoExecute"));
        Assert.Contains(plan.TaintChanges["n1"], t => t.Key == NodeKeys.UnreachableTaint && t.Effect == "NoSchedule");
    }

    [Theory]
    [InlineData(new[] { "True", "True", "True" }, ZoneState.Normal)]
    [InlineData(new[] { "True", "Unknown", "False" }, ZoneState.Normal)]
    [InlineData(new[] { "Unknown", "Unknown", "Unknown" }, ZoneState.FullDisruption)]
    [InlineData(new[] { "True", "Unknown", "Unknown", "False" }, ZoneState.PartialDisruption)]
    [InlineData(new[] { "True", "True", "Unknown", "Unknown", "False" }, ZoneState.PartialDisruption)]
    [InlineData(new[] { "True", "True", "True", "Unknown", "Unknown", "False" }, ZoneState.Normal)]
    [InlineData(new string[0], ZoneState.Normal)]
    public void Zone_states(string[] ready, ZoneState expected) =>
        Assert.Equal(expected, ZoneStates.Compute(ready));

    [Fact]
    public void In_partial_disruption_no_new_no_execute_taint_is_added()
    {
        var node = Node("n1", ready: "False");
        var desired = NodeTaintRules.Desired(node, "False", ZoneState.PartialDisruption, Now);
        Assert.DoesNotContain(desired, t => t.Effect == "NoExecute");
    }

    [Fact]
    public void Not_ready_turns_into_unreachable_even_in_partial_disruption()
    {
        var node = Node("n1", "False", null, new V1Taint { Key = NodeKeys.NotReadyTaint, Effect = "NoExecute", TimeAdded = Now });
        var desired = NodeTaintRules.Desired(node, "Unknown", ZoneState.PartialDisruption, Now);
        Assert.Contains(desired, t => t.Key == NodeKeys.UnreachableTaint && t.Effect == "NoExecute");
        Assert.DoesNotContain(desired, t => t.Key == NodeKeys.NotReadyTaint && t.Effect == "NoExecute");
    }

    [Fact]
    public void A_removed_node_is_reported_once()
    {
        Pass(Node("n1"), Node("n2"));
        Assert.Equal(["n2"], Pass(Node("n1")).Removed);
        Assert.Empty(Pass(Node("n1")).Removed);
    }
}
