using Navarch.Controllers.Namespace;

namespace Navarch.Controllers.Tests.Namespace;

[Trait("Category", "Unit")]
public sealed class NamespaceConditionsTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Remaining_content_and_finalizers_are_reported_as_upstream_words_them()
    {
        var report = new DeletionReport(null, [],
            new Dictionary<string, int> { ["pods"] = 2, ["endpointslices.discovery.k8s.io"] = 1 },
            new Dictionary<string, int> { ["example.com/hold"] = 1 });
        var conditions = NamespaceConditions.Build(null, report, Now).ToDictionary(c => c.Type);
        Assert.Equal("True", conditions["NamespaceContentRemaining"].Status);
        Assert.Equal("Some resources are remaining: endpointslices.discovery.k8s.io has 1 resource instances, pods has 2 resource instances",
            conditions["NamespaceContentRemaining"].Message);
        Assert.Equal("Some content in the namespace has finalizers remaining: example.com/hold in 1 resource instances",
            conditions["NamespaceFinalizersRemaining"].Message);
        Assert.Equal(("False", "ContentDeleted"), (conditions["NamespaceDeletionContentFailure"].Status, conditions["NamespaceDeletionContentFailure"].Reason));
    }

    [Fact]
    public void An_empty_namespace_reports_every_condition_false_and_keeps_transition_times()
    {
        var empty = new DeletionReport(null, [], new Dictionary<string, int>(), new Dictionary<string, int>());
        var first = NamespaceConditions.Build(null, empty, Now);
        Assert.All(first, c => Assert.Equal("False", c.Status));
        var again = NamespaceConditions.Build(first, empty, Now.AddMinutes(1));
        Assert.True(NamespaceConditions.Same(first, again));
        Assert.Equal(first.Select(c => c.LastTransitionTime), again.Select(c => c.LastTransitionTime));
        Assert.True(empty.Empty);
    }
}
