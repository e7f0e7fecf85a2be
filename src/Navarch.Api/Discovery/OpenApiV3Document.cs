using System.Text.Json.Nodes;
using Navarch.Api.Resources;

namespace Navarch.Api.Discovery;

/// <summary>Renders <see cref="ApiPaths"/> of one group/version as an OpenAPI 3.0 document with component schemas.</summary>
internal static class OpenApiV3Document
{
    private static readonly string[] ResponseTypes = ["application/json", "application/yaml", "application/vnd.kubernetes.protobuf"];

    // strategic-merge-patch+json is left out on purpose: when a PATCH declares it, kubectl apply computes
    // the patch from these schemas, which lack x-kubernetes-patch-merge-key, and would replace lists
    // (containers, ports) wholesale. Without it kubectl falls back to its compiled-in types, which get it right.
    private static readonly string[] PatchTypes = ["application/apply-patch+yaml", "application/json-patch+json", "application/merge-patch+json"];

    public static JsonObject Build(string group, string version)
    {
        var schemas = new SchemaSet(SchemaNames.Package(group, version));
        foreach (var resource in ResourceCatalog.All.Where(r => r.Group == group && r.Version == version))
        {
            schemas.Add(resource.ClrType); // every kind gets a schema, even if no operation names it
        }
        var paths = new JsonObject();
        foreach (var path in ApiPaths.For(group, version)) paths[path.Path] = PathItem(path, schemas);
        return new JsonObject
        {
            ["openapi"] = "3.0.0",
            ["info"] = new JsonObject { ["title"] = "Kubernetes", ["version"] = VersionInfo.GitVersion },
            ["paths"] = paths,
            ["components"] = new JsonObject { ["schemas"] = schemas.ToJson() },
        };
    }

    private static JsonObject PathItem(ApiPath path, SchemaSet schemas)
    {
        var item = new JsonObject { ["parameters"] = Parameters(path.Parameters) };
        foreach (var op in path.Operations) item[op.Method] = Operation(op, schemas);
        return item;
    }

    private static JsonObject Operation(ApiOperation op, SchemaSet schemas)
    {
        var body = new JsonObject
        {
            ["tags"] = new JsonArray(op.Tag),
            ["description"] = op.Description,
            ["operationId"] = op.OperationId,
            ["parameters"] = Parameters(op.Parameters),
        };
        if (op.Body is { } bodyType)
        {
            var types = op.Method == "patch" ? PatchTypes : ["*/*"];
            body["requestBody"] = new JsonObject { ["content"] = Content(types, schemas.Ref(bodyType)), ["required"] = op.Method != "delete" };
        }
        body["responses"] = Responses(op, schemas);
        body["x-kubernetes-action"] = op.Action;
        body["x-kubernetes-group-version-kind"] = SchemaSet.Gvk(op.Kind);
        return body;
    }

    private static JsonObject Responses(ApiOperation op, SchemaSet schemas)
    {
        JsonObject Ok(string description) => op.Response is { } type
            ? new JsonObject { ["description"] = description, ["content"] = Content(ResponseTypes, schemas.Ref(type)) }
            : new JsonObject { ["description"] = description, ["content"] = Content(["*/*"], new JsonObject { ["type"] = "string" }) };
        var responses = new JsonObject { ["200"] = Ok("OK") };
        if (op.Action is "post" or "put") responses["201"] = Ok("Created");
        if (op.Action == "post") responses["202"] = Ok("Accepted");
        responses["401"] = new JsonObject { ["description"] = "Unauthorized" };
        return responses;
    }

    private static JsonObject Content(IEnumerable<string> mediaTypes, JsonObject schema)
    {
        var content = new JsonObject();
        foreach (var type in mediaTypes) content[type] = new JsonObject { ["schema"] = schema.DeepClone() };
        return content;
    }

    private static JsonArray Parameters(IEnumerable<ApiParameter> parameters) => new(
    [
        .. parameters.Select(p =>
        {
            var parameter = new JsonObject
            {
                ["name"] = p.Name,
                ["in"] = p.In,
                ["description"] = p.Description,
                ["schema"] = new JsonObject { ["type"] = p.Type, ["uniqueItems"] = true },
            };
            if (p.Required) parameter["required"] = true;
            return (JsonNode)parameter;
        }),
    ]);
}
