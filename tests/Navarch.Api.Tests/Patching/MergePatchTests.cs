using Navarch.Api.Patching;

namespace Navarch.Api.Tests.Patching;

[Trait("Category", "Unit")]
public sealed class MergePatchTests
{
    [Theory]
    [InlineData("kubectl label adds a label", "{'metadata':{'name':'p','labels':{'app':'nginx'}}}",
        "{'metadata':{'labels':{'tier':'web'}}}", "{'metadata':{'name':'p','labels':{'app':'nginx','tier':'web'}}}")]
    [InlineData("kubectl label key- removes it", "{'metadata':{'labels':{'app':'nginx','tier':'web'}}}",
        "{'metadata':{'labels':{'tier':null}}}", "{'metadata':{'labels':{'app':'nginx'}}}")]
    [InlineData("kubectl annotate on an object without annotations", "{'metadata':{'name':'p'}}",
        "{'metadata':{'annotations':{'note':'hi'}}}", "{'metadata':{'name':'p','annotations':{'note':'hi'}}}")]
    [InlineData("kubectl scale", "{'spec':{'replicas':2,'selector':{'a':'b'}}}", "{'spec':{'replicas':3}}", "{'spec':{'replicas':3,'selector':{'a':'b'}}}")]
    [InlineData("arrays are replaced", "{'l':[1,2,3]}", "{'l':[4]}", "{'l':[4]}")]
    [InlineData("null on a missing key is a no-op", "{'a':1}", "{'b':null}", "{'a':1}")]
    [InlineData("non-object patch replaces", "{'a':1}", "[1]", "[1]")]
    [InlineData("nested null inside a new object is dropped", "{}", "{'a':{'b':null,'c':1}}", "{'a':{'c':1}}")]
    public void Applies(string name, string document, string patch, string expected)
    {
        _ = name;
        var doc = Json.Parse(document);
        var before = doc.ToJsonString();
        Json.Equal(expected, MergePatch.Apply(doc, Json.Parse(patch)));
        Assert.Equal(before, doc.ToJsonString());
    }
}
