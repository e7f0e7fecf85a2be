using Microsoft.AspNetCore.Http;
using Navarch.ApiServer.Authentication;

namespace Navarch.ApiServer.Filters;

/// <summary>First filter: what the request asks for (verb, resource, namespace, name, or a plain path), before anyone knows who asks.</summary>
public sealed class RequestInfoFilter(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext ctx)
    {
        var request = ctx.Request;
        ctx.SetAttributes(RequestAttributesParser.Parse(request.Method, request.Path.Value ?? "/", request.Query, UserInfo.AnonymousUser));
        return next(ctx);
    }
}
