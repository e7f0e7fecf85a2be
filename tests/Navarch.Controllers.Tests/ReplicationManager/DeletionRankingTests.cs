using k8s.Models;
using Navarch.Controllers.PodControl;
using static Navarch.Controllers.Tests.ReplicationManager.Pods;

namespace Navarch.Controllers.Tests.ReplicationManager;

[Trait("Category", "Unit")]
public sealed class DeletionRankingTests
{
    public static TheoryData<string, V1Pod, V1Pod> FirstGoesFirst => new()
    {
        { "unscheduled before scheduled", Pod("a", phase: "Running", ready: true), Pod("b", node: "n1", phase: "Pending") },
        { "Pending before Unknown", Pod("a", node: "n1", phase: "Pending"), Pod("b", node: "n1", phase: "Unknown") },
        { "Unknown before Running", Pod("a", node: "n1", phase: "Unknown"), Pod("b", node: "n1", phase: "Running") },
        { "not ready before ready", Pod("a", node: "n1", phase: "Running"), Pod("b", node: "n1", phase: "Running", ready: true) },
        { "lower deletion cost first", Pod("a", node: "n1", phase: "Running", ready: true, cost: "-5"), Pod("b", node: "n2", phase: "Running", ready: true) },
        { "more recently ready first", Pod("a", node: "n1", phase: "Running", ready: true, readySince: Now.AddMinutes(-1)), Pod("b", node: "n2", phase: "Running", ready: true, readySince: Now.AddDays(-3)) },
        { "more restarts first", Pod("a", node: "n1", phase: "Running", restarts: 4), Pod("b", node: "n2", phase: "Running", restarts: 1) },
        { "newer first", Pod("a", node: "n1", created: Now.AddMinutes(-2)), Pod("b", node: "n2", created: Now.AddDays(-2)) },
    };

    [Theory]
    [MemberData(nameof(FirstGoesFirst))]
    public void Ranks_the_better_candidate_first(string rule, V1Pod first, V1Pod second)
    {
        var chosen = DeletionRanking.PodsToDelete([second, first], [second, first], 1, Now);
        Assert.True(chosen.Single() == first, rule);
        chosen = DeletionRanking.PodsToDelete([first, second], [first, second], 1, Now);
        Assert.True(chosen.Single() == first, rule);
    }

    [Fact]
    public void Prefers_pods_on_crowded_nodes()
    {
        var crowded1 = Pod("a", node: "n1", phase: "Running", ready: true);
        var crowded2 = Pod("b", node: "n1", phase: "Running", ready: true);
        var alone = Pod("c", node: "n2", phase: "Running", ready: true);
        var chosen = DeletionRanking.PodsToDelete([alone, crowded1, crowded2], [alone, crowded1, crowded2], 1, Now);
        Assert.NotSame(alone, chosen.Single());
    }

    [Fact]
    public void Deleting_as_many_as_exist_returns_all()
    {
        V1Pod[] pods = [Pod("a"), Pod("b")];
        Assert.Equal(2, DeletionRanking.PodsToDelete(pods, pods, 5, Now).Count);
    }
}
