using k8s.Models;
using Navarch.Api.Selectors;

namespace Navarch.Api.Tests.Selectors;

[Trait("Category", "Unit")]
public class LabelSelectorTests
{
    private static Dictionary<string, string> Labels(string text) =>
        text.Length == 0 ? [] : text.Split(',').Select(p => p.Split('=')).ToDictionary(p => p[0], p => p[1]);

    [Theory]
    [InlineData("", "a=b", true)]
    [InlineData("a=b", "a=b", true)]
    [InlineData("a==b", "a=b", true)]
    [InlineData("a=b", "a=c", false)]
    [InlineData("a!=b", "a=c", true)]
    [InlineData("a!=b", "", true)]
    [InlineData("a in (b,c)", "a=c", true)]
    [InlineData("a in (b,c)", "", false)]
    [InlineData("a notin (b,c)", "a=d", true)]
    [InlineData("a notin (b,c)", "a=b", false)]
    [InlineData("a notin (b,c)", "", true)]
    [InlineData("a", "a=x", true)]
    [InlineData("a", "b=x", false)]
    [InlineData("!a", "b=x", true)]
    [InlineData("!a", "a=x", false)]
    [InlineData("a=b,c=d", "a=b,c=d", true)]
    [InlineData("a=b,c=d", "a=b", false)]
    [InlineData("a=", "a=", true)]
    [InlineData("a>1", "a=2", true)]
    [InlineData("a<1", "a=2", false)]
    [InlineData("x in (in)", "x=in", true)]
    [InlineData("a==,b", "a=,b=1", true)]
    [InlineData("  a = b ", "a=b", true)]
    public void Parse_then_match(string selector, string labels, bool expected) =>
        Assert.Equal(expected, LabelSelector.Parse(selector).Matches(Labels(labels)));

    [Theory]
    [InlineData("name=nginx", "name=nginx")]
    [InlineData("b=2,a=1", "a=1,b=2")]
    [InlineData("a in (c,b)", "a in (b,c)")]
    [InlineData("a notin (x)", "a notin (x)")]
    [InlineData("!a,b", "!a,b")]
    [InlineData("a==b", "a==b")]
    [InlineData("a!=b", "a!=b")]
    [InlineData("x in (foo,,baz)", "x in (,baz,foo)")]
    public void ToString_is_canonical(string selector, string expected) =>
        Assert.Equal(expected, LabelSelector.Parse(selector).ToString());

    [Theory]
    [InlineData("a b", "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt")]
    [InlineData("a=b,", "found '', expected: identifier after ','")]
    [InlineData("a in b", "unable to parse requirement: found 'b' expected: '('")]
    [InlineData("a=(", "unable to parse requirement: found '(', expected: identifier")]
    [InlineData("=b", "found '=', expected: !, identifier, or 'end of string'")]
    [InlineData("a=b c", "found 'c', expected: ',' or 'end of string'")]
    [InlineData("a in (b c)", "unable to parse requirement: found 'c', expected: ',' or ')'")]
    public void Syntax_errors_use_upstream_text(string selector, string message) =>
        Assert.Equal(message, Assert.Throws<SelectorException>(() => LabelSelector.Parse(selector)).Message);

    [Fact]
    public void Invalid_key_reports_nil_path_like_upstream()
    {
        var ex = Assert.Throws<SelectorException>(() => LabelSelector.Parse("-a=b"));
        Assert.StartsWith("unable to parse requirement: <nil>: Invalid value: \"-a\": name part must consist of alphanumeric", ex.Message);
    }

    [Fact]
    public void Invalid_value_reports_values_path()
    {
        var ex = Assert.Throws<SelectorException>(() => LabelSelector.Parse("app=" + new string('x', 64)));
        Assert.StartsWith($"unable to parse requirement: values[0][app]: Invalid value: \"{new string('x', 64)}\": must be no more than 63 characters", ex.Message);
    }

    [Fact]
    public void Null_and_empty_select_everything()
    {
        Assert.True(LabelSelector.Parse(null).IsEverything);
        Assert.True(LabelSelector.Parse("").IsEverything);
        Assert.True(LabelSelector.FromSet(null).IsEverything);
        Assert.True(LabelSelector.FromLabelSelector(new V1LabelSelector()).IsEverything);
    }

    [Fact]
    public void FromSet_requires_every_label()
    {
        var selector = LabelSelector.FromSet(new Dictionary<string, string> { ["b"] = "2", ["a"] = "1" });
        Assert.Equal("a=1,b=2", selector.ToString());
        Assert.True(selector.Matches(Labels("a=1,b=2,c=3")));
        Assert.False(selector.Matches(Labels("a=1")));
    }

    [Fact]
    public void FromLabelSelector_combines_labels_and_expressions()
    {
        var selector = LabelSelector.FromLabelSelector(new V1LabelSelector
        {
            MatchLabels = new Dictionary<string, string> { ["app"] = "web" },
            MatchExpressions = [new V1LabelSelectorRequirement { Key = "tier", OperatorProperty = "In", Values = ["a", "b"] }, new V1LabelSelectorRequirement { Key = "canary", OperatorProperty = "DoesNotExist" }],
        });
        Assert.Equal("app=web,!canary,tier in (a,b)", selector.ToString());
        Assert.True(selector.Matches(Labels("app=web,tier=b")));
        Assert.False(selector.Matches(Labels("app=web,tier=b,canary=1")));
    }

    [Fact]
    public void Null_metav1_selector_matches_nothing()
    {
        var selector = LabelSelector.FromLabelSelector(null);
        Assert.True(selector.IsNothing);
        Assert.False(selector.Matches(Labels("a=b")));
    }

    [Fact]
    public void Unknown_expression_operator_is_rejected()
    {
        var ex = Assert.Throws<SelectorException>(() => LabelSelector.FromLabelSelector(new V1LabelSelector
        {
            MatchExpressions = [new V1LabelSelectorRequirement { Key = "a", OperatorProperty = "Gt", Values = ["1"] }],
        }));
        Assert.Equal("\"Gt\" is not a valid label selector operator", ex.Message);
    }
}
