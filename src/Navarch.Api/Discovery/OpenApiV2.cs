using System.Text.Json;

namespace Navarch.Api.Discovery;

/// <summary>
/// GET /openapi/v2 as the protobuf <c>openapi.v2.Document</c> of gnostic's OpenAPIv2.proto: the only form
/// kubectl 1.27 and 1.28 accept. It lists every path and operation with its parameters (notably
/// <c>fieldValidation</c> on PATCH, which kubectl checks before create and apply) and the
/// <c>x-kubernetes-group-version-kind</c> and <c>x-kubernetes-action</c> extensions. It has no definitions:
/// with none, kubectl computes apply patches from its compiled-in types, which know the merge keys.
/// </summary>
public static class OpenApiV2
{
    /// <summary>
    /// The response media type. kubectl asks for <c>...spec.v2@v1.0+protobuf</c>, but echoing that back
    /// breaks it: '@' is illegal in a media type and Go's parser rejects the response.
    /// </summary>
    public const string ContentType = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf";

    private static readonly Lazy<byte[]> Document = new(Build);

    /// <summary>The serialized document (shared bytes, built once: do not modify).</summary>
    public static byte[] Protobuf() => Document.Value;

    private static byte[] Build() => new ProtoWriter()
        .String(1, "2.0")
        .Message(2, info => info.String(1, "Kubernetes").String(2, VersionInfo.GitVersion))
        .Message(8, paths =>
        {
            foreach (var path in ApiPaths.All()) paths.Message(2, named => named.String(1, path.Path).Message(2, item => PathItem(item, path)));
        })
        .ToArray();

    // PathItem fields: 2 get, 3 put, 4 post, 5 delete, 8 patch, 9 parameters.
    private static readonly Dictionary<string, int> MethodFields = new()
    {
        ["get"] = 2, ["put"] = 3, ["post"] = 4, ["delete"] = 5, ["patch"] = 8,
    };

    private static void PathItem(ProtoWriter item, ApiPath path)
    {
        foreach (var op in path.Operations) item.Message(MethodFields[op.Method], w => Operation(w, op));
        foreach (var parameter in path.Parameters) item.Message(9, w => Parameter(w, parameter));
    }

    // Operation fields: 1 tags, 3 description, 5 operation_id, 8 parameters, 9 responses, 13 vendor_extension.
    private static void Operation(ProtoWriter w, ApiOperation op)
    {
        w.Strings(1, [op.Tag]).String(3, op.Description).String(5, op.OperationId);
        foreach (var parameter in op.Parameters) w.Message(8, item => Parameter(item, parameter));
        // Responses { 1 NamedResponseValue { 1 name, 2 ResponseValue { 1 Response { 1 description } } } }
        w.Message(9, responses => responses.Message(1, named => named.String(1, "200")
            .Message(2, value => value.Message(1, response => response.String(1, "OK")))));
        w.Message(13, ext => VendorExtension(ext, "x-kubernetes-action", YamlString(op.Action) + "\n"));
        w.Message(13, ext => VendorExtension(ext, "x-kubernetes-group-version-kind",
            $"group: {YamlString(op.Kind.Group)}\nkind: {YamlString(op.Kind.Kind)}\nversion: {YamlString(op.Kind.Version)}\n"));
    }

    // ParametersItem { 1 Parameter { 2 NonBodyParameter { 3 QueryParameterSubSchema | 4 PathParameterSubSchema } } }
    private static void Parameter(ProtoWriter item, ApiParameter p) =>
        item.Message(1, parameter => parameter.Message(2, nonBody =>
        {
            if (p.In == "path")
            {
                // PathParameterSubSchema: 1 required, 2 in, 3 description, 4 name, 5 type, 19 unique_items
                nonBody.Message(4, s => s.Bool(1, p.Required).String(2, p.In).String(3, p.Description).String(4, p.Name).String(5, p.Type).Bool(19, true));
            }
            else
            {
                // QueryParameterSubSchema: 1 required, 2 in, 3 description, 4 name, 6 type, 20 unique_items
                nonBody.Message(3, s => s.Bool(1, p.Required).String(2, p.In).String(3, p.Description).String(4, p.Name).String(6, p.Type).Bool(20, true));
            }
        }));

    // NamedAny { 1 name, 2 Any { 2 yaml } }
    private static void VendorExtension(ProtoWriter w, string name, string yaml) =>
        w.String(1, name).Message(2, any => any.String(2, yaml));

    /// <summary>A YAML double-quoted scalar; JSON string syntax is a subset of it.</summary>
    private static string YamlString(string value) => JsonSerializer.Serialize(value);
}
