using Navarch.Api.Patching;

namespace Navarch.Api.Tests.Patching;

[Trait("Category", "Unit")]
public sealed class JsonPatchTests
{
    [Theory]
    [InlineData("add a key", "{'a':1}", "[{'op':'add','path':'/b','value':2}]", "{'a':1,'b':2}")]
    [InlineData("add replaces an existing key", "{'a':1}", "[{'op':'add','path':'/a','value':2}]", "{'a':2}")]
    [InlineData("append with -", "{'l':[1,2]}", "[{'op':'add','path':'/l/-','value':3}]", "{'l':[1,2,3]}")]
    [InlineData("insert at index", "{'l':[1,2]}", "[{'op':'add','path':'/l/0','value':0}]", "{'l':[0,1,2]}")]
    [InlineData("insert at end index", "{'l':[1]}", "[{'op':'add','path':'/l/1','value':2}]", "{'l':[1,2]}")]
    [InlineData("remove a key", "{'a':1,'b':2}", "[{'op':'remove','path':'/a'}]", "{'b':2}")]
    [InlineData("remove an item", "{'l':[1,2,3]}", "[{'op':'remove','path':'/l/1'}]", "{'l':[1,3]}")]
    [InlineData("replace", "{'spec':{'replicas':2}}", "[{'op':'replace','path':'/spec/replicas','value':3}]", "{'spec':{'replicas':3}}")]
    [InlineData("move", "{'a':{'x':1},'b':{}}", "[{'op':'move','from':'/a/x','path':'/b/y'}]", "{'a':{},'b':{'y':1}}")]
    [InlineData("copy", "{'a':[1]}", "[{'op':'copy','from':'/a','path':'/b'}]", "{'a':[1],'b':[1]}")]
    [InlineData("passing test then replace", "{'a':'x'}", "[{'op':'test','path':'/a','value':'x'},{'op':'replace','path':'/a','value':'y'}]", "{'a':'y'}")]
    [InlineData("~1 and ~0 escapes", "{'metadata':{'labels':{'app.kubernetes.io/name':'a','x~y':'b'}}}",
        "[{'op':'replace','path':'/metadata/labels/app.kubernetes.io~1name','value':'n'},{'op':'remove','path':'/metadata/labels/x~0y'}]",
        "{'metadata':{'labels':{'app.kubernetes.io/name':'n'}}}")]
    [InlineData("replace the whole document", "{'a':1}", "[{'op':'replace','path':'','value':{'b':2}}]", "{'b':2}")]
    public void Applies(string name, string document, string patch, string expected)
    {
        _ = name;
        var doc = Json.Parse(document);
        var before = doc.ToJsonString();
        Json.Equal(expected, JsonPatch.Apply(doc, Json.Parse(patch)));
        Assert.Equal(before, doc.ToJsonString()); // input untouched
    }

    [Theory]
    [InlineData("remove missing key", "{'a':1}", "[{'op':'remove','path':'/b'}]", PatchErrorKind.Invalid, "Unable to remove nonexistent key: b: missing value")]
    [InlineData("replace missing key", "{'spec':{}}", "[{'op':'replace','path':'/spec/replicas','value':1}]", PatchErrorKind.Invalid, "replace operation does not apply: doc is missing key: /spec/replicas: missing value")]
    [InlineData("add under missing parent", "{}", "[{'op':'add','path':'/spec/replicas','value':1}]", PatchErrorKind.Invalid, "add operation does not apply: doc is missing path: \"/spec/replicas\": missing value")]
    [InlineData("failed test", "{'a':1}", "[{'op':'test','path':'/a','value':2}]", PatchErrorKind.Invalid, "testing value /a failed: test failed")]
    [InlineData("index out of range", "{'l':[1]}", "[{'op':'remove','path':'/l/5'}]", PatchErrorKind.Invalid, "Unable to access invalid index: 5: invalid index referenced")]
    [InlineData("move from missing", "{}", "[{'op':'move','from':'/x','path':'/y'}]", PatchErrorKind.Invalid, "move operation does not apply: doc is missing from path: /x: missing value")]
    [InlineData("unknown op", "{}", "[{'op':'frobnicate','path':'/x'}]", PatchErrorKind.BadRequest, "Unexpected kind: frobnicate")]
    [InlineData("patch is not an array", "{}", "{'op':'add'}", PatchErrorKind.BadRequest, "json: cannot unmarshal object into Go value of type jsonpatch.Patch")]
    [InlineData("value missing", "{}", "[{'op':'add','path':'/x'}]", PatchErrorKind.BadRequest, "add operation missing value")]
    public void Rejects(string name, string document, string patch, PatchErrorKind kind, string message)
    {
        _ = name;
        var error = Assert.Throws<PatchException>(() => JsonPatch.Apply(Json.Parse(document), Json.Parse(patch)));
        Assert.Equal(kind, error.Kind);
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void Refuses_more_operations_than_upstream_allows()
    {
        var patch = "[" + string.Join(",", Enumerable.Repeat("{'op':'test','path':'/a','value':1}", InputLimits.MaxJsonPatchOperations + 1)) + "]";
        var error = Assert.Throws<PatchException>(() => JsonPatch.Apply(Json.Parse("{'a':1}"), Json.Parse(patch)));
        Assert.Equal(PatchErrorKind.TooLarge, error.Kind);
        Assert.Equal("The allowed maximum operations in a JSON patch is 10000, got 10001", error.Message);
    }

    [Fact]
    public void Refuses_copies_that_double_the_document_past_the_limit()
    {
        // Each copy puts the whole of metadata inside itself: 40 of them would make 2^40 copies.
        var patch = "[" + string.Join(",", Enumerable.Range(0, 40).Select(i => $"{{'op':'copy','from':'/metadata','path':'/metadata/labels/x{i}'}}")) + "]";
        var error = Assert.Throws<PatchException>(() => JsonPatch.Apply(Json.Parse("{'metadata':{'labels':{'a':'" + new string('b', 100) + "'}}}"), Json.Parse(patch)));
        Assert.Equal(PatchErrorKind.TooLarge, error.Kind);
        Assert.StartsWith("Unable to complete the copy, the accumulated size increase of copy is ", error.Message);
    }

    [Fact]
    public void Refuses_a_result_nested_past_the_limit()
    {
        var deep = string.Concat(Enumerable.Repeat("{'a':", 40)) + "1" + new string('}', 40);
        var path = string.Concat(Enumerable.Repeat("/a", 39));
        var doc = Json.Parse(deep);
        var error = Assert.Throws<PatchException>(() => JsonPatch.Apply(doc, Json.Parse($"[{{'op':'add','path':'{path}','value':{deep}}}]")));
        Assert.Equal(PatchErrorKind.BadRequest, error.Kind);
        Assert.Contains("limit is 64", error.Message);
    }
}
