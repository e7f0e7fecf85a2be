using k8s.Models;
using Navarch.Controllers.Deployment;
using static Navarch.Controllers.Tests.Deployment.Deployments;

namespace Navarch.Controllers.Tests.Deployment;

[Trait("Category", "Unit")]
public sealed class RolloutPlannerTests
{
    [Theory]
    [InlineData(10, null, null, 3, 2)]
    [InlineData(1, null, null, 1, 0)]
    [InlineData(3, "0", "0", 0, 1)]
    [InlineData(4, "50%", "1", 2, 1)]
    [InlineData(5, "1", "30%", 1, 1)]
    public void Fenceposts_round_surge_up_and_unavailable_down(int replicas, string? surge, string? unavailable, int wantSurge, int wantUnavailable) =>
        Assert.Equal((wantSurge, wantUnavailable), RolloutPlanner.Fenceposts(NewDeployment(replicas, surge, unavailable)));

    /// <summary>
    /// Runs the rolling plan step by step, new pods turning available after each step, and checks the bounds
    /// upstream promises: never more than replicas + maxSurge pods, never fewer than replicas - maxUnavailable available.
    /// </summary>
    [Theory]
    [InlineData(3, "1", "0")]
    [InlineData(3, "0", "1")]
    [InlineData(10, "25%", "25%")]
    [InlineData(5, "2", "2")]
    public void A_rolling_update_stays_within_surge_and_unavailability(int replicas, string surge, string unavailable)
    {
        var d = NewDeployment(replicas, surge, unavailable, image: "nginx:v2");
        var (maxSurge, maxUnavailable) = RolloutPlanner.Fenceposts(d);
        var old = new PlannedSet(Set("web-old", replicas, replicas, ageMinutes: 30));
        var neu = new PlannedSet(Set("web-new", 0, 0, image: "nginx:v2", revision: 2));
        for (var step = 0; step < 50 && (neu.Replicas < replicas || old.Replicas > 0); step++)
        {
            PlannedSet[] all = [old, neu];
            if (!RolloutPlanner.ReconcileNewSet(d, all, neu)) RolloutPlanner.ReconcileOldSets(d, all, [old], neu);
            Assert.True(old.Replicas + neu.Replicas <= replicas + maxSurge, $"step {step}: {old.Replicas}+{neu.Replicas} pods");
            // The world catches up: pods come and go and every pod turns available.
            old = new PlannedSet(Set("web-old", old.Replicas, Math.Min(old.Replicas, old.Available), ageMinutes: 30));
            Assert.True(old.Available + Math.Min(neu.Available, neu.Replicas) >= replicas - maxUnavailable, $"step {step}: too few available");
            neu = new PlannedSet(Set("web-new", neu.Replicas, neu.Replicas, image: "nginx:v2", revision: 2));
        }
        Assert.Equal((0, replicas), (old.Replicas, neu.Replicas));
    }

    [Fact]
    public void New_pods_that_never_become_available_hold_the_old_ones()
    {
        var d = NewDeployment(3, "1", "0", image: "nginx:bad");
        var old = new PlannedSet(Set("web-old", 3, 3, ageMinutes: 30));
        var neu = new PlannedSet(Set("web-new", 1, 0, image: "nginx:bad", revision: 2));
        Assert.False(RolloutPlanner.ReconcileNewSet(d, [old, neu], neu));
        Assert.False(RolloutPlanner.ReconcileOldSets(d, [old, neu], [old], neu));
        Assert.Equal((3, 1), (old.Replicas, neu.Replicas));
    }

    [Fact]
    public void Unhealthy_old_replicas_go_first()
    {
        var d = NewDeployment(3, "1", "0");
        var old = new PlannedSet(Set("web-old", 3, 1, ageMinutes: 30));
        var neu = new PlannedSet(Set("web-new", 1, 1, revision: 2));
        Assert.True(RolloutPlanner.ReconcileOldSets(d, [old, neu], [old], neu));
        // Budget: 4 pods - 3 minimum - 0 unavailable new = 1; the unhealthy ones go first.
        Assert.Equal(2, old.Replicas);
    }

    [Fact]
    public void Recreate_scales_every_old_set_to_zero_first()
    {
        PlannedSet[] olds = [new(Set("a", 2, 2)), new(Set("b", 0, 0)), new(Set("c", 1, 0))];
        Assert.True(RolloutPlanner.ScaleDownOldSetsForRecreate(olds));
        Assert.All(olds, s => Assert.Equal(0, s.Replicas));
        Assert.False(RolloutPlanner.ScaleDownOldSetsForRecreate(olds));
        Assert.Equal(3, RolloutPlanner.NewSetReplicas(NewDeployment(3, strategy: "Recreate"), olds, new PlannedSet(Set("n", 0, 0))));
    }

    [Fact]
    public void A_resize_mid_rollout_is_shared_in_proportion()
    {
        // 10 replicas, maxSurge 3: 13 pods, 8 new and 5 old, both sized for 13; then scaled to 15 (surge 4: 19 allowed).
        var d = NewDeployment(15, "25%", "25%", image: "nginx:v2");
        d.Status.Replicas = 13;
        var neu = new PlannedSet(Set("web-new", 8, 8, image: "nginx:v2", revision: 2, desired: 10, max: 13));
        var old = new PlannedSet(Set("web-old", 5, 5, ageMinutes: 30, desired: 10, max: 13));
        Assert.True(RolloutPlanner.IsScalingEvent(d, [neu.Set, old.Set]));
        RolloutPlanner.Scale(d, neu, [old]);
        Assert.Equal((12, 7), (neu.Replicas, old.Replicas));
    }

    [Fact]
    public void A_resize_with_one_active_set_resizes_that_set()
    {
        var d = NewDeployment(5);
        var neu = new PlannedSet(Set("web-new", 3, 3, desired: 3, max: 4));
        var old = new PlannedSet(Set("web-old", 0, 0, ageMinutes: 30));
        RolloutPlanner.Scale(d, neu, [old]);
        Assert.Equal((5, 0), (neu.Replicas, old.Replicas));
    }

    [Fact]
    public void A_set_sized_for_the_current_replicas_is_no_scaling_event() =>
        Assert.False(RolloutPlanner.IsScalingEvent(NewDeployment(3), [Set("a", 3, 3, desired: 3), Set("b", 0, 0, desired: 7)]));
}
