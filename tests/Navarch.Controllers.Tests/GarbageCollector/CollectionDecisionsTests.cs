using k8s.Models;
using Navarch.Controllers.GarbageCollector;

namespace Navarch.Controllers.Tests.GarbageCollector;

[Trait("Category", "Unit")]
public sealed class CollectionDecisionsTests
{
    private static V1OwnerReference Ref(string uid, bool block = true) =>
        new() { ApiVersion = "v1", Kind = "ReplicationController", Name = "rc-" + uid, Uid = uid, Controller = true, BlockOwnerDeletion = block };

    private static GraphNode Node(string uid, IReadOnlyList<V1OwnerReference> owners, bool deleting = false, params string[] finalizers) =>
        new("v1", "Pod", "default", "pod-" + uid, uid, owners, deleting, finalizers);

    public static TheoryData<string, string[], string> Cases => new()
    {
        // name, owner states (one per owner: S solid, D dangling, W waiting), expected action
        { "owner alive", ["S"], "Keep" },
        { "owner gone", ["D"], "Delete:Background" },
        { "one of two owners gone", ["S", "D"], "RemoveOwnerReferences:o1" },
        { "owner deleting in the foreground, other owner alive", ["W", "S"], "RemoveOwnerReferences:o0" },
        { "every owner gone", ["D", "D"], "Delete:Background" },
        { "owner deleting in the foreground", ["W"], "Delete:Background" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Decides_by_the_state_of_the_owners(string name, string[] states, string expected)
    {
        var owners = states.Select((_, i) => Ref("o" + i)).ToList();
        var map = states.Select((s, i) => ("o" + i, s switch { "S" => OwnerState.Solid, "D" => OwnerState.Dangling, _ => OwnerState.WaitingForDependents }))
            .ToDictionary(p => p.Item1, p => p.Item2);
        var action = CollectionDecisions.Decide(Node("x", owners), map, hasDependents: false);
        Assert.True(Describe(action) == expected, $"{name}: {Describe(action)}");
    }

    [Fact]
    public void A_dependent_with_dependents_of_its_own_goes_in_the_foreground_when_its_owner_waits()
    {
        var action = CollectionDecisions.Decide(Node("x", [Ref("o")]), new Dictionary<string, OwnerState> { ["o"] = OwnerState.WaitingForDependents }, hasDependents: true);
        Assert.Equal("Delete:Foreground", Describe(action));
    }

    [Fact]
    public void A_dependent_keeps_the_propagation_its_own_finalizers_ask_for()
    {
        var action = CollectionDecisions.Decide(Node("x", [Ref("o")], false, GraphNode.OrphanFinalizer), new Dictionary<string, OwnerState> { ["o"] = OwnerState.Dangling }, false);
        Assert.Equal("Delete:Orphan", Describe(action));
    }

    [Fact]
    public void Objects_already_going_or_without_owners_are_left_alone()
    {
        Assert.Equal("Keep", Describe(CollectionDecisions.Decide(Node("x", [Ref("o")], deleting: true), new Dictionary<string, OwnerState> { ["o"] = OwnerState.Dangling }, false)));
        Assert.Equal("Keep", Describe(CollectionDecisions.Decide(Node("x", []), new Dictionary<string, OwnerState>(), false)));
    }

    [Fact]
    public void A_foreground_owner_waits_for_blocking_dependents_only()
    {
        var owner = new GraphNode("v1", "ReplicationController", "default", "rc", "o", [], true, [GraphNode.ForegroundFinalizer]);
        var blocking = Node("a", [Ref("o")]);
        var going = Node("b", [Ref("o")], deleting: true);
        var notBlocking = Node("c", [Ref("o", block: false)]);

        var decision = CollectionDecisions.Foreground(owner, [blocking, going, notBlocking]);
        Assert.False(decision.RemoveFinalizer);
        Assert.Equal(["a"], decision.DeleteDependents.Select(d => d.Uid));

        Assert.True(CollectionDecisions.Foreground(owner, [notBlocking]).RemoveFinalizer);
    }

    [Theory]
    [InlineData(null, "Dangling")]
    [InlineData("other-uid", "Dangling")]
    [InlineData("o", "Solid")]
    public void Owner_state_from_a_live_read(string? liveUid, string expected)
    {
        var live = liveUid is null ? null : new GraphNode("v1", "ReplicationController", "default", "rc-o", liveUid, [], false, []);
        Assert.Equal(expected, CollectionDecisions.StateOf(Ref("o"), live).ToString());
    }

    [Fact]
    public void The_graph_tracks_dependents_across_owner_changes()
    {
        var graph = new OwnerGraph();
        graph.Observe(Node("x", [Ref("o1")]));
        Assert.Single(graph.DependentsOf("o1"));
        graph.Observe(Node("x", [Ref("o2")]));
        Assert.Empty(graph.DependentsOf("o1"));
        Assert.Single(graph.DependentsOf("o2"));
        graph.Remove("x");
        Assert.Empty(graph.DependentsOf("o2"));
        Assert.Null(graph.Get("x"));
    }

    private static string Describe(DependentAction a) => a switch
    {
        DependentAction.Delete d => "Delete:" + d.PropagationPolicy,
        DependentAction.RemoveOwnerReferences r => "RemoveOwnerReferences:" + string.Join(",", r.OwnerUids),
        _ => "Keep",
    };
}
