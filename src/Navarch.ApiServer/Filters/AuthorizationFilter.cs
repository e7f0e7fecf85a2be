using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Navarch.ApiServer.Authorization;

namespace Navarch.ApiServer.Filters;

/// <summary>Third filter: may this user do this? Anything no authorizer allows gets upstream's 403.</summary>
public sealed partial class AuthorizationFilter(RequestDelegate next, IAuthorizer authorizer, ILogger<AuthorizationFilter> log)
{
    public Task InvokeAsync(HttpContext ctx)
    {
        var attributes = ctx.Attributes()! with { User = ctx.User()! };
        ctx.SetAttributes(attributes);
        if (authorizer.Authorize(attributes, out var reason) != Decision.Allow)
        {
            if (IsControlPlane(attributes.User.Name)) LogControlPlaneForbidden(log, Forbidden.Message(attributes));
            throw Forbidden.Error(attributes, reason);
        }
        return next(ctx);
    }

    /// <summary>The server's own loops and kube-system's accounts: a 403 for one of them is a missing rule in a bootstrap role.</summary>
    private static bool IsControlPlane(string user) =>
        user.StartsWith("system:kube-", StringComparison.Ordinal) || user == "system:apiserver"
        || user.StartsWith("system:serviceaccount:kube-system:", StringComparison.Ordinal);

    [LoggerMessage(EventId = 1, EventName = "ControlPlaneForbidden", Level = LogLevel.Warning, Message = "forbidden: {Message}")]
    private static partial void LogControlPlaneForbidden(ILogger log, string message);
}
