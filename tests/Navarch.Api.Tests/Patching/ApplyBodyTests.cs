using Navarch.Api.Patching;

namespace Navarch.Api.Tests.Patching;

[Trait("Category", "Unit")]
public sealed class ApplyBodyTests
{
    [Theory]
    [InlineData("json as kubectl sends it", "{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"spec\":{\"ports\":[{\"port\":80}]}}",
        "{'apiVersion':'v1','kind':'Service','spec':{'ports':[{'port':80}]}}")]
    [InlineData("yaml with typed scalars", "apiVersion: v1\nkind: Service\nspec:\n  ports:\n  - port: 80\n    name: \"80\"\n  publishNotReadyAddresses: true\n  x: ~\n  f: 1.5\n",
        "{'apiVersion':'v1','kind':'Service','spec':{'ports':[{'port':80,'name':'80'}],'publishNotReadyAddresses':true,'x':null,'f':1.5}}")]
    [InlineData("yaml 1.1 words stay strings", "metadata:\n  labels:\n    on: yes\n", "{'metadata':{'labels':{'on':'yes'}}}")]
    [InlineData("an alias copies its anchor", "a: &x {b: [1, 2]}\nc: *x\n", "{'a':{'b':[1,2]},'c':{'b':[1,2]}}")]
    [InlineData("an alias to a scalar can be a key", "a: &k name\n*k : v\n", "{'a':'name','name':'v'}")]
    [InlineData("a repeated key: the last wins", "a: 1\na: 2\n", "{'a':2}")]
    [InlineData("only the first document counts", "a: 1\n---\nb: [\n", "{'a':1}")]
    public void Parses(string name, string body, string expected)
    {
        _ = name;
        Json.Equal(expected, ApplyBody.Parse(body));
    }

    [Theory]
    [InlineData("a list", "- a\n- b\n")]
    [InlineData("broken yaml", "a: [b\n")]
    [InlineData("broken json", "{\"a\":")]
    [InlineData("an alias inside its own anchor", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\nx: &a [*a, *a]")]
    [InlineData("an alias to no anchor", "a: *nowhere\n")]
    [InlineData("a repeated JSON key", "{\"kind\":\"Pod\",\"kind\":\"Pod\"}")]
    [InlineData("a mapping as a key", "? [a]\n: b\n")]
    public void Rejects(string name, string body)
    {
        _ = name;
        Assert.Equal(PatchErrorKind.BadRequest, Assert.Throws<PatchException>(() => ApplyBody.Parse(body)).Kind);
    }

    [Fact]
    public void Refuses_aliases_that_expand_a_small_body_into_a_huge_one()
    {
        // "Billion laughs": each level refers to the one before ten times.
        var body = new System.Text.StringBuilder("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for (var i = 1; i < 10; i++)
            body.Append($"a{i}: &a{i} [{string.Join(", ", Enumerable.Repeat($"*a{i - 1}", 10))}]\n");
        var e = Assert.Throws<PatchException>(() => ApplyBody.Parse(body.ToString()));
        Assert.Contains("excessive aliasing", e.Message);
    }

    [Theory]
    [InlineData("yaml flow", "a: ", "[", "]")]
    [InlineData("yaml block", "a:\n", "- ", "")]
    [InlineData("json", "{\"a\":", "[", "]")]
    public void Refuses_nesting_past_the_limit_naming_it(string name, string prefix, string open, string close)
    {
        _ = name;
        var depth = name == "yaml block" ? 200 : 10_000; // block style indents: keep the body small
        var body = name == "yaml block"
            ? prefix + string.Concat(Enumerable.Range(0, depth).Select(i => new string(' ', i * 2) + open + "\n")) + new string(' ', depth * 2) + "x\n"
            : prefix + string.Concat(Enumerable.Repeat(open, depth)) + string.Concat(Enumerable.Repeat(close, depth)) + (name == "json" ? "}" : "");
        var e = Assert.Throws<PatchException>(() => ApplyBody.Parse(body));
        Assert.Equal(PatchErrorKind.BadRequest, e.Kind);
        Assert.Contains(InputLimits.MaxDepth.ToString(System.Globalization.CultureInfo.InvariantCulture), e.Message);
    }

    [Fact]
    public void Accepts_nesting_up_to_the_limit()
    {
        var depth = InputLimits.MaxDepth - 1; // the document itself is one level
        var body = "a: " + new string('[', depth) + new string(']', depth);
        Assert.NotNull(ApplyBody.Parse(body));
    }
}
