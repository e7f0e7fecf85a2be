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
    public void Parses(string name, string body, string expected)
    {
        _ = name;
        Json.Equal(expected, ApplyBody.Parse(body));
    }

    [Theory]
    [InlineData("a list", "- a\n- b\n")]
    [InlineData("broken yaml", "a: [b\n")]
    [InlineData("broken json", "{\"a\":")]
    public void Rejects(string name, string body)
    {
        _ = name;
        Assert.Equal(PatchErrorKind.BadRequest, Assert.Throws<PatchException>(() => ApplyBody.Parse(body)).Kind);
    }
}
