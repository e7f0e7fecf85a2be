using Microsoft.AspNetCore.Http;
using Navarch.ApiServer.Authorization;

namespace Navarch.ApiServer.Filters;

/// <summary>Third filter: may this user do this? Anything no authorizer allows gets upstream's 403.</summary>
public sealed class AuthorizationFilter(RequestDelegate next, IAuthorizer authorizer)
{
    public Task InvokeAsync(HttpContext ctx)
    {
        var attributes = ctx.Attributes()! with { User = ctx.User()! };
        ctx.SetAttributes(attributes);
        if (authorizer.Authorize(attributes, out var reason) != Decision.Allow)
            throw Forbidden.Error(attributes, reason);
        return next(ctx);
    }
}
