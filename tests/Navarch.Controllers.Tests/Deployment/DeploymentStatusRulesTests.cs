using k8s.Models;
using Navarch.Controllers.Deployment;
using static Navarch.Controllers.Deployment.DeploymentStatusRules;
using static Navarch.Controllers.Tests.Deployment.Deployments;

namespace Navarch.Controllers.Tests.Deployment;

[Trait("Category", "Unit")]
public sealed class DeploymentStatusRulesTests
{
    [Fact]
    public void Status_counts_over_the_sets_and_says_available()
    {
        var d = NewDeployment(3, "1", "0", image: "nginx:v2");
        PlannedSet neu = new(Set("new", 2, 1, image: "nginx:v2")), old = new(Set("old", 2, 2));
        var status = Calculate(d, [old, neu], neu, Now);
        Assert.Equal((4, 2, 3, 3, 1, 1L), (status.Replicas, status.UpdatedReplicas, status.ReadyReplicas, status.AvailableReplicas, status.UnavailableReplicas, status.ObservedGeneration));
        var available = Condition(status, Available)!;
        Assert.Equal(("True", MinimumReplicasAvailable, "Deployment has minimum availability."), (available.Status, available.Reason, available.Message));
        Assert.Equal("False", Condition(Calculate(d, [new(Set("new", 3, 2))], null, Now), Available)!.Status);
    }

    [Fact]
    public void A_completed_rollout_says_NewReplicaSetAvailable()
    {
        var d = NewDeployment(3);
        d.Status.Conditions = [NewCondition(Progressing, "True", ReplicaSetUpdated, "x", Now.AddSeconds(-5))];
        PlannedSet neu = new(Set("web-abc", 3, 3));
        var status = Calculate(d, [neu], neu, Now);
        ApplyProgress(d, status, [neu], neu, Now);
        var c = Condition(status, Progressing)!;
        Assert.Equal(("True", NewReplicaSetAvailable, "ReplicaSet \"web-abc\" has successfully progressed."), (c.Status, c.Reason, c.Message));
        Assert.True(IsComplete(d, status));
    }

    [Fact]
    public void Progress_refreshes_lastUpdateTime_and_keeps_the_transition()
    {
        var d = NewDeployment(3, "1", "0", image: "nginx:v2");
        var since = Now.AddMinutes(-3).UtcDateTime;
        d.Status = new V1DeploymentStatus { Replicas = 4, UpdatedReplicas = 1, AvailableReplicas = 3, Conditions = [NewCondition(Progressing, "True", NewReplicaSetCreated, "x", Now.AddMinutes(-3))] };
        PlannedSet neu = new(Set("new", 2, 1, image: "nginx:v2")), old = new(Set("old", 2, 2));
        var status = Calculate(d, [old, neu], neu, Now);
        ApplyProgress(d, status, [old, neu], neu, Now);
        var c = Condition(status, Progressing)!;
        Assert.Equal((ReplicaSetUpdated, since, Now.UtcDateTime), (c.Reason, c.LastTransitionTime, c.LastUpdateTime));
    }

    [Fact]
    public void No_progress_past_the_deadline_is_ProgressDeadlineExceeded()
    {
        var d = NewDeployment(3, "1", "0", image: "nginx:bad", progressDeadline: 10);
        PlannedSet neu = new(Set("web-bad", 1, 0, image: "nginx:bad")), old = new(Set("old", 3, 3));
        d.Status = new V1DeploymentStatus { Replicas = 4, UpdatedReplicas = 1, ReadyReplicas = 3, AvailableReplicas = 3, ObservedGeneration = 1,
            Conditions = [NewCondition(Progressing, "True", ReplicaSetUpdated, "x", Now.AddSeconds(-8))] };

        var early = Calculate(d, [old, neu], neu, Now);
        ApplyProgress(d, early, [old, neu], neu, Now);
        Assert.Equal(ReplicaSetUpdated, Condition(early, Progressing)!.Reason);
        Assert.Equal(TimeSpan.FromSeconds(3), RecheckAfter(d, early, Now));

        var late = Calculate(d, [old, neu], neu, Now.AddSeconds(3));
        ApplyProgress(d, late, [old, neu], neu, Now.AddSeconds(3));
        var c = Condition(late, Progressing)!;
        Assert.Equal(("False", ProgressDeadlineExceeded, "ReplicaSet \"web-bad\" has timed out progressing."), (c.Status, c.Reason, c.Message));
    }

    [Fact]
    public void Pausing_and_resuming_show_in_Progressing()
    {
        var d = NewDeployment(3);
        d.Spec.Paused = true;
        Assert.True(ApplyPaused(d, d.Status, Now));
        Assert.Equal(("Unknown", DeploymentPaused), (Condition(d.Status, Progressing)!.Status, Condition(d.Status, Progressing)!.Reason));
        Assert.False(ApplyPaused(d, d.Status, Now));
        d.Spec.Paused = false;
        Assert.True(ApplyPaused(d, d.Status, Now));
        Assert.Equal(DeploymentResumed, Condition(d.Status, Progressing)!.Reason);
    }

    [Fact]
    public void Without_a_deadline_there_is_no_Progressing_condition()
    {
        var d = NewDeployment(3, progressDeadline: null);
        d.Status.Conditions = [NewCondition(Progressing, "True", ReplicaSetUpdated, "x", Now)];
        PlannedSet neu = new(Set("new", 3, 3));
        var status = Calculate(d, [neu], neu, Now);
        ApplyProgress(d, status, [neu], neu, Now);
        Assert.Null(Condition(status, Progressing));
    }
}
