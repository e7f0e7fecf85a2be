using Navarch.Api.Selectors;

namespace Navarch.Api.Tests.Selectors;

[Trait("Category", "Unit")]
public class FieldSelectorTests
{
    [Theory]
    [InlineData("status.phase=Running", "status.phase", true, "Running")]
    [InlineData("status.phase==Running", "status.phase", true, "Running")]
    [InlineData("spec.nodeName!=", "spec.nodeName", false, "")]
    [InlineData("metadata.name=a\\,b\\=c\\\\d", "metadata.name", true, "a,b=c\\d")]
    public void Parses_single_terms(string text, string field, bool equal, string value)
    {
        var requirement = Assert.Single(FieldSelector.Parse(text).Requirements);
        Assert.Equal(new FieldRequirement(field, equal, value), requirement);
    }

    [Fact]
    public void Terms_are_ANDed_and_sorted()
    {
        var selector = FieldSelector.Parse("status.phase=Running,metadata.name=a");
        Assert.Equal(["metadata.name", "status.phase"], selector.Requirements.Select(r => r.Field));
        var fields = new Dictionary<string, string> { ["metadata.name"] = "a", ["status.phase"] = "Running" };
        Assert.True(selector.Matches(f => fields.GetValueOrDefault(f)));
        fields["status.phase"] = "Pending";
        Assert.False(selector.Matches(f => fields.GetValueOrDefault(f)));
    }

    [Theory]
    [InlineData("spec.nodeName=", null, true)]
    [InlineData("spec.nodeName!=", null, false)]
    [InlineData("spec.nodeName!=", "n1", true)]
    public void Absent_fields_compare_as_empty(string text, string? actual, bool expected) =>
        Assert.Equal(expected, FieldSelector.Parse(text).Matches(_ => actual));

    [Theory]
    [InlineData("abc", "invalid selector: 'abc'; can't understand 'abc'")]
    [InlineData("a=b\\x", "invalid field selector: invalid escape sequence: \\x")]
    [InlineData("a=b\\", "invalid field selector: invalid escape sequence: \\")]
    [InlineData("a=b=c", "invalid field selector: unescaped character in value: 61")]
    public void Errors_use_upstream_text(string text, string message) =>
        Assert.Equal(message, Assert.Throws<SelectorException>(() => FieldSelector.Parse(text)).Message);

    [Fact]
    public void Empty_is_everything()
    {
        Assert.True(FieldSelector.Parse(null).IsEverything);
        Assert.True(FieldSelector.Parse(",").IsEverything);
    }

    [Fact]
    public void ToString_escapes_values() =>
        Assert.Equal("a=x\\,y", FieldSelector.Parse("a=x\\,y").ToString());
}
