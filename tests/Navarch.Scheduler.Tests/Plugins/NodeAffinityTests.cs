using k8s.Models;
using Navarch.Scheduler.Plugins.NodeAffinity;

namespace Navarch.Scheduler.Tests.Plugins;

[Trait("Category", "Unit")]
public class NodeAffinityTests
{
    private static readonly Dictionary<string, string> Labels = new() { ["zone"] = "a", ["gen"] = "5", ["kubernetes.io/hostname"] = "n1" };

    private static V1NodeSelectorRequirement Req(string key, string op, params string[] values) =>
        new() { Key = key, OperatorProperty = op, Values = values.Length == 0 ? null : values };

    public static TheoryData<string, V1NodeSelectorRequirement, bool> ExpressionCases => new()
    {
        { "In matches", Req("zone", "In", "a", "b"), true },
        { "In other value", Req("zone", "In", "b"), false },
        { "In missing label", Req("rack", "In", "a"), false },
        { "NotIn other value", Req("zone", "NotIn", "b"), true },
        { "NotIn same value", Req("zone", "NotIn", "a"), false },
        { "NotIn missing label", Req("rack", "NotIn", "a"), true },
        { "Exists", Req("zone", "Exists"), true },
        { "Exists missing", Req("rack", "Exists"), false },
        { "DoesNotExist missing", Req("rack", "DoesNotExist"), true },
        { "DoesNotExist present", Req("zone", "DoesNotExist"), false },
        { "Gt greater", Req("gen", "Gt", "4"), true },
        { "Gt equal", Req("gen", "Gt", "5"), false },
        { "Lt less", Req("gen", "Lt", "6"), true },
        { "Lt not integer", Req("zone", "Lt", "6"), false },
        { "unknown operator", Req("zone", "Like", "a"), false },
    };

    [Theory]
    [MemberData(nameof(ExpressionCases))]
    public void Match_expressions_follow_upstream(string name, V1NodeSelectorRequirement requirement, bool matches)
    {
        var node = Build.Node("n1", labels: Labels);
        var term = new V1NodeSelectorTerm { MatchExpressions = [requirement] };
        Assert.True(NodeSelectorMatcher.TermMatches(term, node) == matches, name);
    }

    public static TheoryData<string, V1NodeSelectorTerm[], bool> TermCases => new()
    {
        { "matchFields metadata.name In", [new() { MatchFields = [Req("metadata.name", "In", "n1")] }], true },
        { "matchFields metadata.name NotIn", [new() { MatchFields = [Req("metadata.name", "NotIn", "n1")] }], false },
        { "matchFields other field", [new() { MatchFields = [Req("metadata.uid", "In", "n1")] }], false },
        { "empty term matches nothing", [new()], false },
        { "terms are ORed", [new() { MatchExpressions = [Req("zone", "In", "z")] }, new() { MatchExpressions = [Req("zone", "In", "a")] }], true },
        { "requirements in a term are ANDed", [new() { MatchExpressions = [Req("zone", "In", "a"), Req("gen", "Lt", "5")] }], false },
    };

    [Theory]
    [MemberData(nameof(TermCases))]
    public void Terms_are_ORed_and_requirements_ANDed(string name, V1NodeSelectorTerm[] terms, bool matches)
    {
        var node = Build.Node("n1", labels: Labels);
        Assert.True(NodeSelectorMatcher.Matches(new V1NodeSelector { NodeSelectorTerms = terms }, node) == matches, name);
    }

    [Theory]
    [InlineData("matching selector", "zone", "a", true)]
    [InlineData("other value", "zone", "b", false)]
    [InlineData("missing label", "disk", "ssd", false)]
    public void NodeSelector_needs_every_label(string name, string key, string value, bool fits)
    {
        var pod = Build.Pod("p");
        pod.Spec.NodeSelector = new Dictionary<string, string> { [key] = value };
        var node = Build.Info(Build.Node("n1", labels: Labels));
        var status = new NodeAffinity().Filter(Build.State(pod, node), node);
        Assert.True(status.IsSuccess == fits, name);
        if (!fits) Assert.Equal(NodeAffinity.Reason, status.Reasons.Single());
    }

    [Fact]
    public void Required_affinity_filters_nodes()
    {
        var pod = Build.Pod("p");
        pod.Spec.Affinity = new V1Affinity
        {
            NodeAffinity = new V1NodeAffinity
            {
                RequiredDuringSchedulingIgnoredDuringExecution = new V1NodeSelector { NodeSelectorTerms = [new() { MatchExpressions = [Req("zone", "In", "b")] }] },
            },
        };
        var node = Build.Info(Build.Node("n1", labels: Labels));
        Assert.False(new NodeAffinity().Filter(Build.State(pod, node), node).IsSuccess);
    }
}
