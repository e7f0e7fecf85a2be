namespace Navarch.Api.Discovery;

/// <summary>One query, path or body parameter of an OpenAPI operation.</summary>
/// <param name="In">"query" or "path".</param>
/// <param name="Type">The primitive type: "string", "boolean" or "integer".</param>
public sealed record ApiParameter(string Name, string In, string Type, string Description, bool Required = false);

/// <summary>
/// One HTTP operation on a path, independent of how OpenAPI v2 or v3 spells it.
/// </summary>
/// <param name="Method">Lower-case HTTP method: get, put, post, delete, patch.</param>
/// <param name="Action">The <c>x-kubernetes-action</c>: get, list, post, put, patch, delete, deletecollection, connect.</param>
/// <param name="Kind">The kind the operation reads or writes (its <c>x-kubernetes-group-version-kind</c>).</param>
/// <param name="Body">The k8s.Models type of the request body (e.g. V1Pod, V1DeleteOptions), or null when there is none.</param>
/// <param name="Response">The k8s.Models type of the 200/201 response, or null for a plain-text or streaming response.</param>
public sealed record ApiOperation(
    string Method, string Action, string OperationId, string Description, GroupVersionKind Kind,
    IReadOnlyList<ApiParameter> Parameters, Type? Body, Type? Response)
{
    /// <summary>The OpenAPI tag upstream uses, e.g. "core_v1" or "coordination_v1".</summary>
    public string Tag { get; init; } = "";
}

/// <summary>A URL template (e.g. <c>/api/v1/namespaces/{namespace}/pods/{name}</c>) and its operations.</summary>
public sealed record ApiPath(string Path, IReadOnlyList<ApiParameter> Parameters, IReadOnlyList<ApiOperation> Operations);
