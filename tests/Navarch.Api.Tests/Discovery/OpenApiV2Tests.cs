using Navarch.Api.Discovery;
using Navarch.Api.Resources;

namespace Navarch.Api.Tests.Discovery;

[Trait("Category", "Unit")]
public class OpenApiV2Tests
{
    // Field numbers from gnostic's openapiv2/OpenAPIv2.proto.
    private const int DocumentSwagger = 1, DocumentInfo = 2, DocumentPaths = 8;
    private const int PathsPath = 2, NamedName = 1, NamedValue = 2;
    private const int PathItemPatch = 8, PathItemPost = 4, PathItemPut = 3;
    private const int OperationParameters = 8, OperationVendorExtension = 13;

    private static readonly ProtoReader Document = new(OpenApiV2.Protobuf());

    public static TheoryData<string> Resources() => [.. ResourceCatalog.All.Select(r => r.ToString())];

    private static ProtoReader PathItem(string path) =>
        Document.Message(DocumentPaths)!.Messages(PathsPath).Single(p => p.String(NamedName) == path).Message(NamedValue)!;

    private static Dictionary<string, string> Extensions(ProtoReader operation) =>
        operation.Messages(OperationVendorExtension).ToDictionary(e => e.String(1)!, e => e.Message(2)!.String(2)!);

    private static ProtoReader? QueryParameter(ProtoReader operation, string name) =>
        operation.Messages(OperationParameters)
            .Select(item => item.Message(1)?.Message(2)?.Message(3)) // Parameter → NonBodyParameter → QueryParameterSubSchema
            .FirstOrDefault(query => query?.String(4) == name);

    [Fact]
    public void Document_is_swagger_2_with_info()
    {
        Assert.Equal("2.0", Document.String(DocumentSwagger));
        Assert.Equal("Kubernetes", Document.Message(DocumentInfo)!.String(1));
        Assert.Equal("v1.32.0", Document.Message(DocumentInfo)!.String(2));
    }

    [Fact]
    public void Content_type_is_parseable_as_a_media_type()
    {
        Assert.DoesNotContain("@", OpenApiV2.ContentType);
        Assert.Equal(OpenApiV2.ContentType, System.Net.Http.Headers.MediaTypeHeaderValue.Parse(OpenApiV2.ContentType).MediaType);
    }

    [Theory]
    [MemberData(nameof(Resources))]
    public void Item_patch_declares_field_validation_and_the_kind(string name)
    {
        // kubectl 1.27/1.28 check exactly this before create and apply (wire doc §4.2).
        var r = ResourceCatalog.All.Single(x => x.ToString() == name);
        var item = PathItem(ApiPaths.Prefix(r.Group, r.Version) + (r.Namespaced ? "/namespaces/{namespace}/" : "/") + r.Plural + "/{name}");
        foreach (var field in new[] { PathItemPatch, PathItemPut })
        {
            var operation = item.Message(field)!;
            var query = QueryParameter(operation, "fieldValidation");
            Assert.NotNull(query);
            Assert.Equal("query", query.String(2));
            Assert.Equal("string", query.String(6));
            Assert.True(query.Bool(20));
            Assert.NotNull(QueryParameter(operation, "dryRun"));
            Assert.NotNull(QueryParameter(operation, "fieldManager"));
            Assert.Equal($"group: \"{r.Group}\"\nkind: \"{r.Kind}\"\nversion: \"{r.Version}\"\n",
                Extensions(operation)["x-kubernetes-group-version-kind"]);
        }
        Assert.Equal("\"patch\"\n", Extensions(item.Message(PathItemPatch)!)["x-kubernetes-action"]);
    }

    [Fact]
    public void Collection_post_declares_field_validation()
    {
        var post = PathItem("/api/v1/namespaces/{namespace}/pods").Message(PathItemPost)!;
        Assert.NotNull(QueryParameter(post, "fieldValidation"));
        Assert.Contains("kind: \"Pod\"", Extensions(post)["x-kubernetes-group-version-kind"]);
    }

    [Fact]
    public void Path_level_name_parameter_is_a_required_path_parameter()
    {
        var name = PathItem("/api/v1/nodes/{name}").Messages(9)
            .Select(item => item.Message(1)!.Message(2)!.Message(4)) // → PathParameterSubSchema
            .Single(p => p?.String(4) == "name")!;
        Assert.True(name.Bool(1));
        Assert.Equal("path", name.String(2));
    }

    [Fact]
    public void Document_is_built_once() => Assert.Same(OpenApiV2.Protobuf(), OpenApiV2.Protobuf());
}
