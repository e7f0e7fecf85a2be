using System.Text.Json.Nodes;
using Navarch.Api.Resources;
using Navarch.ApiServer.Registry;

namespace Navarch.ApiServer.Tests.Registry;

public class ResourceStrategyTests
{
    private static readonly JsonObject StoredNamespace = JsonNode.Parse(
        """{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"a","resourceVersion":"5"},"spec":{"finalizers":["kubernetes"]},"status":{"phase":"Terminating"}}""")!.AsObject();

    [Theory]
    [InlineData("""{"metadata":{"name":"a"},"spec":[]}""")]
    [InlineData("""{"metadata":{"name":"a"},"spec":"x"}""")]
    [InlineData("""{"metadata":[],"spec":{"finalizers":[]}}""")]
    public void A_finalize_body_that_is_not_a_namespace_is_the_clients_error(string body)
    {
        var strategy = new ResourceStrategy(ResourceCatalog.Namespaces);

        var error = Assert.Throws<ApiException>(() => strategy.PrepareForUpdate(JsonNode.Parse(body)!.AsObject(), StoredNamespace, "finalize"));

        Assert.Equal(400, error.Code);
    }

    [Fact]
    public void Finalize_changes_only_the_finalizers()
    {
        var strategy = new ResourceStrategy(ResourceCatalog.Namespaces);
        var body = JsonNode.Parse("""{"metadata":{"name":"a","labels":{"x":"y"}},"spec":{"finalizers":[]},"status":{"phase":"Active"}}""")!.AsObject();

        var result = strategy.PrepareForUpdate(body, StoredNamespace, "finalize");

        Assert.Equal("[]", result["spec"]!["finalizers"]!.ToJsonString());
        Assert.Equal("Terminating", (string?)result["status"]!["phase"]);
        Assert.Null(result["metadata"]!["labels"]);
    }
}
