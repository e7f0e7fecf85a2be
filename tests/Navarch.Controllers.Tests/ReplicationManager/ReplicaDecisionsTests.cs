using k8s.Models;
using Navarch.Controllers.PodControl;
using Navarch.Controllers.ReplicaSet;
using static Navarch.Controllers.Tests.ReplicationManager.Pods;

namespace Navarch.Controllers.Tests.ReplicationManager;

[Trait("Category", "Unit")]
public sealed class ReplicaDecisionsTests
{
    [Fact]
    public void Claim_keeps_adopts_releases_and_leaves_others_alone()
    {
        var owned = Pod("owned");
        var orphan = Pod("orphan", owner: null);
        var strayOrphan = Pod("stray", owner: null, labels: "name=apache");
        var relabelled = Pod("relabelled", labels: "name=debug");
        var someoneElses = Pod("other", owner: "other-uid");
        var terminating = Pod("terminating", deleting: true);
        var finished = Pod("done", phase: "Succeeded");

        var claim = ReplicaDecisions.Claim(Rc(), [owned, orphan, strayOrphan, relabelled, someoneElses, terminating, finished]);

        Assert.Equal(["owned"], claim.Owned.Select(p => p.Metadata.Name));
        Assert.Equal(["orphan"], claim.Adopt.Select(p => p.Metadata.Name));
        Assert.Equal(["relabelled"], claim.Release.Select(p => p.Metadata.Name));
    }

    [Fact]
    public void Set_based_selectors_claim_by_expression()
    {
        var selector = new V1LabelSelector
        {
            MatchExpressions = [new V1LabelSelectorRequirement { Key = "tier", OperatorProperty = "In", Values = ["web", "edge"] }],
        };
        var claim = ReplicaDecisions.Claim(Rc(selector: selector),
            [Pod("web", owner: null), Pod("edge", owner: null, labels: "tier=edge"), Pod("db", owner: null, labels: "tier=db"), Pod("owned-db", labels: "tier=db")]);
        Assert.Equal(["web", "edge"], claim.Adopt.Select(p => p.Metadata.Name));
        Assert.Equal(["owned-db"], claim.Release.Select(p => p.Metadata.Name));
    }

    [Fact]
    public void An_empty_selector_claims_nothing()
    {
        var claim = ReplicaDecisions.Claim(Rc(selector: new V1LabelSelector()), [Pod("owned"), Pod("orphan", owner: null)]);
        Assert.Empty(claim.Owned);
        Assert.Empty(claim.Adopt);
    }

    [Fact]
    public void A_controller_being_deleted_neither_adopts_nor_releases()
    {
        var claim = ReplicaDecisions.Claim(Rc(deleting: true), [Pod("owned"), Pod("orphan", owner: null), Pod("relabelled", labels: "name=debug")]);
        Assert.Single(claim.Owned);
        Assert.Empty(claim.Adopt);
        Assert.Empty(claim.Release);
    }

    [Theory]
    [InlineData(2, 0, 2, 0)]
    [InlineData(5, 2, 3, 0)]
    [InlineData(1, 5, 0, 4)]
    [InlineData(2, 2, 0, 0)]
    [InlineData(2000, 0, 500, 0)]
    [InlineData(0, 700, 0, 500)]
    public void Scale_creates_or_deletes_the_difference_in_bursts_of_500(int replicas, int have, int create, int delete)
    {
        var pods = Enumerable.Range(0, have).Select(i => Pod($"p{i}")).ToList();
        var decision = ReplicaDecisions.Scale(replicas, pods, Now);
        Assert.Equal(create, decision.Create);
        Assert.Equal(delete, decision.Delete.Count);
    }

    [Fact]
    public void Scale_down_deletes_the_pending_pods_before_the_running_ones()
    {
        List<V1Pod> pods = [Pod("run1", node: "n1", phase: "Running", ready: true), Pod("pending", phase: "Pending"), Pod("run2", node: "n2", phase: "Running", ready: true)];
        Assert.Equal("pending", ReplicaDecisions.Scale(2, pods, Now).Delete.Single().Metadata.Name);
    }

    [Fact]
    public void Status_counts_ready_available_and_fully_labelled_pods()
    {
        List<V1Pod> pods =
        [
            Pod("a", ready: true, readySince: Now.AddSeconds(-30)),
            Pod("b", ready: true, readySince: Now.AddSeconds(-2)),
            Pod("c", labels: "name=nginx"),
        ];
        var status = ReplicaDecisions.Status(Rc(minReady: 10), pods, null, Now);
        Assert.Equal(3, status.Replicas);
        Assert.Equal(2, status.FullyLabeledReplicas);
        Assert.Equal(2, status.ReadyReplicas);
        Assert.Equal(1, status.AvailableReplicas);
        Assert.Equal(3, status.ObservedGeneration);
        Assert.Null(status.Conditions);
    }

    [Fact]
    public void A_failure_adds_ReplicaFailure_and_success_removes_it()
    {
        var rc = Rc();
        rc.Status = ReplicaDecisions.Status(rc, [], ("FailedCreate", "pods \"x\" is forbidden"), Now);
        var condition = Assert.Single(rc.Status.Conditions);
        Assert.Equal(("ReplicaFailure", "True", "FailedCreate"), (condition.Type, condition.Status, condition.Reason));
        Assert.Null(ReplicaDecisions.Status(rc, [], null, Now).Conditions);
    }

    [Fact]
    public void SameStatus_ignores_unset_versus_zero()
    {
        var a = new V1ReplicaSetStatus { Replicas = 0, ObservedGeneration = 3 };
        var b = new V1ReplicaSetStatus { Replicas = 0, ReadyReplicas = 0, AvailableReplicas = 0, FullyLabeledReplicas = 0, ObservedGeneration = 3 };
        Assert.True(ReplicaDecisions.SameStatus(a, b));
        Assert.False(ReplicaDecisions.SameStatus(a, new V1ReplicaSetStatus { Replicas = 1, ObservedGeneration = 3 }));
        Assert.False(ReplicaDecisions.SameStatus(null, b));
    }

    [Fact]
    public void New_pods_carry_the_template_and_the_controller_reference()
    {
        var rc = Rc();
        var pod = PodTemplate.NewPod(rc.Spec.Template, rc.Metadata, ControllerRefs.For("v1", "ReplicationController", rc.Metadata));
        Assert.Equal("nginx-controller-", pod.Metadata.GenerateName);
        Assert.Equal("nginx", pod.Metadata.Labels["name"]);
        var owner = Assert.Single(pod.Metadata.OwnerReferences);
        Assert.Equal(("v1", "ReplicationController", "nginx-controller", "rc-uid", true, true),
            (owner.ApiVersion, owner.Kind, owner.Name, owner.Uid, owner.Controller, owner.BlockOwnerDeletion));
        Assert.Equal("nginx", pod.Spec.Containers.Single().Image);
    }

    [Theory]
    [InlineData(1, -1, 1)]
    [InlineData(7, -1, 7)]
    [InlineData(7, 0, 0)]
    [InlineData(7, 2, 2)]
    public async Task SlowStart_runs_batches_of_1_2_4_and_stops_after_a_failing_batch(int count, int failAt, int expectedSucceeded)
    {
        var calls = 0;
        var (succeeded, error) = await SlowStart.RunAsync(count, 1, () =>
        {
            var n = Interlocked.Increment(ref calls) - 1;
            return n == failAt ? Task.FromException(new InvalidOperationException("boom")) : Task.CompletedTask;
        });
        Assert.Equal(expectedSucceeded, succeeded);
        Assert.Equal(failAt >= 0, error is not null);
        // A failure in the batch of 2 (calls 1-2) stops before the batch of 4.
        if (failAt == 2) Assert.Equal(3, calls);
    }
}
