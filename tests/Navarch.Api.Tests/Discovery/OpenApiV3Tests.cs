using System.Text.Json.Nodes;
using Navarch.Api.Discovery;
using Navarch.Api.Resources;

namespace Navarch.Api.Tests.Discovery;

[Trait("Category", "Unit")]
public class OpenApiV3Tests
{
    public static TheoryData<string> Resources() => [.. ResourceCatalog.All.Select(r => r.ToString())];

    private static ResourceType Resource(string name) => ResourceCatalog.All.Single(r => r.ToString() == name);

    private static string ItemPath(ResourceType r) =>
        ApiPaths.Prefix(r.Group, r.Version) + (r.Namespaced ? "/namespaces/{namespace}/" : "/") + r.Plural + "/{name}";

    private static string[] ParameterNames(JsonNode? operation) =>
        [.. operation!["parameters"]!.AsArray().Select(p => (string)p!["name"]!)];

    [Fact]
    public void Root_lists_every_group_version_with_a_hashed_url()
    {
        var paths = OpenApiV3.Root()["paths"]!.AsObject();
        Assert.Equal(["api/v1", "apis/apps/v1", "apis/batch/v1", "apis/coordination.k8s.io/v1", "apis/discovery.k8s.io/v1", "apis/rbac.authorization.k8s.io/v1", "apis/certificates.k8s.io/v1"], paths.Select(p => p.Key));
        foreach (var (path, entry) in paths)
        {
            var hash = OpenApiV3.Hash(path);
            Assert.Matches("^[0-9A-F]{128}$", hash);
            Assert.Equal($"/openapi/v3/{path}?hash={hash}", (string)entry!["serverRelativeURL"]!);
        }
    }

    [Fact]
    public void Hash_is_stable_and_differs_between_documents()
    {
        Assert.Equal(OpenApiV3.Hash("api/v1"), OpenApiV3.Hash("/openapi/v3/api/v1"));
        Assert.NotEqual(OpenApiV3.Hash("api/v1"), OpenApiV3.Hash("apis/coordination.k8s.io/v1"));
    }

    [Theory]
    [MemberData(nameof(Resources))]
    public void Patch_on_the_item_path_declares_field_validation_with_the_kind(string name)
    {
        // kubectl 1.29+ sends ?fieldValidation=Strict only when it finds this (wire doc §4.1).
        var r = Resource(name);
        var doc = OpenApiV3.GroupVersion(OpenApiV3.GroupVersionPath(r.Group, r.Version))!;
        var item = doc["paths"]![ItemPath(r)]!;
        var patch = item["patch"]!;
        Assert.Contains("fieldValidation", ParameterNames(patch));
        Assert.Contains("dryRun", ParameterNames(patch));
        Assert.Contains("fieldManager", ParameterNames(patch));
        Assert.Equal(r.Group, (string)patch["x-kubernetes-group-version-kind"]!["group"]!);
        Assert.Equal(r.Version, (string)patch["x-kubernetes-group-version-kind"]!["version"]!);
        Assert.Equal(r.Kind, (string)patch["x-kubernetes-group-version-kind"]!["kind"]!);
        Assert.Equal("patch", (string)patch["x-kubernetes-action"]!);
        Assert.Contains("fieldValidation", ParameterNames(item["put"]));
        Assert.Contains("name", ParameterNames(item)); // path-level
    }

    [Theory]
    [MemberData(nameof(Resources))]
    public void Collection_path_creates_and_lists(string name)
    {
        var r = Resource(name);
        var doc = OpenApiV3.GroupVersion(OpenApiV3.GroupVersionPath(r.Group, r.Version))!;
        var collection = doc["paths"]![ItemPath(r)[..^"/{name}".Length]]!;
        Assert.Contains("fieldValidation", ParameterNames(collection["post"]));
        Assert.Equal("list", (string)collection["get"]!["x-kubernetes-action"]!);
        Assert.Contains("watch", ParameterNames(collection["get"]));
        Assert.Equal("deletecollection", (string)collection["delete"]!["x-kubernetes-action"]!);
    }

    [Theory]
    [MemberData(nameof(Resources))]
    public void Every_kind_has_a_schema_carrying_its_gvk(string name)
    {
        var r = Resource(name);
        var schemas = OpenApiV3.GroupVersion(OpenApiV3.GroupVersionPath(r.Group, r.Version))!["components"]!["schemas"]!.AsObject();
        var package = r.Group.Length == 0 ? "core" : r.Group.Split('.')[0];
        var schema = schemas[$"io.k8s.api.{package}.{r.Version}.{r.Kind}"]!;
        var gvk = Assert.Single(schema["x-kubernetes-group-version-kind"]!.AsArray())!;
        Assert.Equal(r.Kind, (string)gvk["kind"]!);
        Assert.Equal(r.Group, (string)gvk["group"]!);
        Assert.Equal("#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta", (string)schema["properties"]!["metadata"]!["$ref"]!);
    }

    [Fact]
    public void Every_ref_resolves_to_a_schema_in_the_same_document()
    {
        foreach (var path in OpenApiV3.Paths)
        {
            var doc = OpenApiV3.GroupVersion(path)!;
            var schemas = doc["components"]!["schemas"]!.AsObject();
            var refs = Refs(doc).ToList();
            Assert.NotEmpty(refs);
            Assert.All(refs, r => Assert.True(schemas.ContainsKey(r["#/components/schemas/".Length..]), $"{path}: dangling {r}"));
        }
    }

    [Theory]
    [InlineData("io.k8s.api.core.v1.PodSpec", "containers", "array")]
    [InlineData("io.k8s.api.core.v1.Container", "image", "string")]
    [InlineData("io.k8s.api.core.v1.ContainerPort", "containerPort", "integer")]
    [InlineData("io.k8s.api.core.v1.Container", "stdin", "boolean")]
    [InlineData("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta", "labels", "object")]
    [InlineData("io.k8s.api.core.v1.ServicePort", "targetPort", null)]
    public void Core_schemas_map_clr_types_to_openapi_types(string schema, string property, string? type)
    {
        var node = OpenApiV3.GroupVersion("api/v1")!["components"]!["schemas"]![schema]!["properties"]![property]!;
        Assert.Equal(type, (string?)node["type"]);
    }

    [Fact]
    public void Scale_subresource_speaks_autoscaling_v1()
    {
        var doc = OpenApiV3.GroupVersion("api/v1")!;
        var scale = doc["paths"]!["/api/v1/namespaces/{namespace}/replicationcontrollers/{name}/scale"]!;
        Assert.Equal("autoscaling", (string)scale["patch"]!["x-kubernetes-group-version-kind"]!["group"]!);
        Assert.Equal("Scale", (string)scale["get"]!["x-kubernetes-group-version-kind"]!["kind"]!);
        Assert.NotNull(doc["components"]!["schemas"]!["io.k8s.api.autoscaling.v1.Scale"]);
    }

    [Fact]
    public void Patch_does_not_offer_strategic_merge_so_kubectl_apply_uses_its_builtin_merge_keys()
    {
        var patch = OpenApiV3.GroupVersion("api/v1")!["paths"]!["/api/v1/namespaces/{namespace}/pods/{name}"]!["patch"]!;
        var content = patch["requestBody"]!["content"]!.AsObject();
        Assert.Contains("application/merge-patch+json", content.Select(c => c.Key));
        Assert.DoesNotContain("application/strategic-merge-patch+json", content.Select(c => c.Key));
    }

    [Theory]
    [InlineData("apis/policy/v1")]
    [InlineData("api/v2")]
    public void Unknown_group_version_has_no_document(string path) => Assert.Null(OpenApiV3.GroupVersion(path));

    private static IEnumerable<string> Refs(JsonNode? node) => node switch
    {
        JsonObject o => o.SelectMany(p => p.Key == "$ref" ? [(string)p.Value!] : Refs(p.Value)),
        JsonArray a => a.SelectMany(Refs),
        _ => [],
    };
}
