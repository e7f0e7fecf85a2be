using k8s.Models;
using Navarch.Api.Patching;

namespace Navarch.ApiServer.Registry;

/// <summary>
/// An error the API answers with a Kubernetes <c>Status</c> body, as upstream's <c>StatusError</c>
/// (k8s.io/apimachinery/pkg/api/errors): thrown by the registry, the watch cache, the allocators and the handlers;
/// rendered at the HTTP edge only (Hosting/ErrorHandling, Http/Responses).
/// </summary>
public sealed class ApiException(int code, string reason, string message, V1StatusDetails? details = null) : Exception(message)
{
    public int Code { get; } = code;
    public string Reason { get; } = reason;
    public V1StatusDetails? Details { get; } = details;

    public V1Status ToStatus() => new()
    {
        ApiVersion = "v1",
        Kind = "Status",
        Metadata = new V1ListMeta(),
        Status = "Failure",
        Message = Message,
        Reason = Reason,
        Details = Details,
        Code = Code,
    };

    public static ApiException BadRequest(string message) => new(400, "BadRequest", message);

    public static ApiException NotFound(string resource, string name, string? group = null) =>
        new(404, "NotFound", $"{Qualified(resource, group)} \"{name}\" not found",
            new V1StatusDetails { Name = name, Kind = resource, Group = NullIfEmpty(group) });

    public static ApiException PathNotFound() =>
        new(404, "NotFound", "the server could not find the requested resource", new V1StatusDetails());

    public static ApiException AlreadyExists(string resource, string name, string? group = null) =>
        new(409, "AlreadyExists", $"{Qualified(resource, group)} \"{name}\" already exists",
            new V1StatusDetails { Name = name, Kind = resource, Group = NullIfEmpty(group) });

    public static ApiException Conflict(string resource, string name, string detail, string? group = null) =>
        new(409, "Conflict", $"Operation cannot be fulfilled on {Qualified(resource, group)} \"{name}\": {detail}",
            new V1StatusDetails { Name = name, Kind = resource, Group = NullIfEmpty(group) });

    public static ApiException Gone(string message) => new(410, "Expired", message);

    public static ApiException Invalid(string kind, string name, string message, IEnumerable<V1StatusCause> causes, string? group = null) =>
        new(422, "Invalid", message,
            new V1StatusDetails { Name = name, Kind = kind, Group = NullIfEmpty(group), Causes = causes.ToList() });

    public static ApiException MethodNotAllowed(string message) => new(405, "MethodNotAllowed", message);

    public static ApiException UnsupportedMediaType(string contentType) =>
        new(415, "UnsupportedMediaType", $"the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json (got \"{contentType}\")");

    public static ApiException TooLarge() => new(413, "RequestEntityTooLarge", "Request entity too large: limit is 3145728");

    public static ApiException Forbidden(string message) => new(403, "Forbidden", message);

    /// <summary>The Status for a patch that could not be decoded or applied: 400, 409 with the conflicting fields, 413 or 422.</summary>
    public static ApiException Patch(PatchException e) => e.Kind switch
    {
        PatchErrorKind.BadRequest => BadRequest(e.Message),
        PatchErrorKind.Conflict => new(409, "Conflict", e.Message, new V1StatusDetails
        {
            Causes = e.Conflicts.Select(c => new V1StatusCause { Reason = "FieldManagerConflict", Field = c.Field, Message = c.Message }).ToList(),
        }),
        PatchErrorKind.TooLarge => new(413, "RequestEntityTooLarge", e.Message),
        _ => new(422, "Invalid", e.Message),
    };

    private static string Qualified(string resource, string? group) =>
        string.IsNullOrEmpty(group) ? resource : $"{resource}.{group}";

    private static string? NullIfEmpty(string? s) => string.IsNullOrEmpty(s) ? null : s;
}
