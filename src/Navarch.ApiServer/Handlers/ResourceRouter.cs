using Microsoft.AspNetCore.Http;
using Navarch.ApiServer.Http;
using Navarch.ApiServer.Registry;

namespace Navarch.ApiServer.Handlers;

/// <summary>Sends a request under /api or /apis to the handler for its verb, resource and subresource.</summary>
public sealed class ResourceRouter(
    ListHandler list, WatchHandler watch, ObjectHandler objects, PatchHandler patch, ScaleHandler scale, BindingHandler binding,
    NodeProxy nodes,
    PortForwardProxy portForward,
    ServiceAccounts.TokenRequestHandler tokens)
{
    /// <summary>The verb upstream's metrics use for a request.</summary>
    public static string Verb(HttpRequest request, RequestInfo? info, bool watching) => request.Method switch
    {
        "GET" when watching => "WATCH",
        "GET" when info?.Name is null => "LIST",
        "DELETE" when info?.Name is null => "DELETECOLLECTION",
        _ => request.Method,
    };

    public Task HandleAsync(HttpContext ctx, RequestInfo info, QueryOptions q)
    {
        var method = ctx.Request.Method;
        var sub = info.Subresource;
        if (info.Resource.Namespaced && info.Namespace is null && info.Name is not null)
            throw ApiException.PathNotFound();

        if (info.Name is null)
        {
            return method switch
            {
                "GET" when q.Watch => watch.HandleAsync(ctx, info, q),
                "GET" => list.HandleAsync(ctx, info, q),
                "POST" when !info.Resource.Namespaced || info.Namespace is not null => objects.CreateAsync(ctx, info, q),
                "DELETE" => objects.DeleteCollectionAsync(ctx, info, q),
                _ => throw MethodNotAllowed(method, info),
            };
        }

        return (method, sub) switch
        {
            ("GET", _) when q.Watch || info.LegacyWatch => watch.HandleAsync(ctx, info, q),
            ("GET", null or "status" or "approval") => objects.GetAsync(ctx, info, q),
            ("GET", "scale") => scale.GetAsync(ctx, info),
            ("PUT", null or "status" or "approval") => objects.UpdateAsync(ctx, info, q),
            ("PUT", "finalize") => objects.UpdateAsync(ctx, info, q),
            ("PUT", "scale") => scale.UpdateAsync(ctx, info, q, isPatch: false),
            ("PATCH", null or "status" or "approval") => patch.HandleAsync(ctx, info, q),
            ("PATCH", "scale") => scale.UpdateAsync(ctx, info, q, isPatch: true),
            ("DELETE", null) => objects.DeleteAsync(ctx, info, q),
            ("POST", "binding") => binding.HandleAsync(ctx, info, q),
            ("POST", "token") => tokens.CreateAsync(ctx, info),
            ("GET", "log") => nodes.LogsAsync(ctx, info),
            ("GET" or "POST", "exec") => nodes.ExecAsync(ctx, info),
            ("GET" or "POST", "attach") => nodes.AttachAsync(ctx, info),
            ("GET" or "POST", "portforward") => portForward.HandleAsync(ctx, info),
            _ => throw MethodNotAllowed(method, info),
        };
    }

    private static ApiException MethodNotAllowed(string method, RequestInfo info) =>
        ApiException.MethodNotAllowed($"the server does not allow this method on the requested resource ({method} {info.Resource.Plural}{(info.Subresource is null ? "" : "/" + info.Subresource)})");
}
