using Microsoft.AspNetCore.Http;
using Navarch.ApiServer.Authentication;
using Navarch.ApiServer.Authorization;

namespace Navarch.ApiServer.Filters;

/// <summary>What the filters learned about a request, for the filters after them and the handlers.</summary>
public static class RequestContext
{
    private static readonly object UserKey = new();
    private static readonly object AttributesKey = new();

    /// <summary>The authenticated user; null only before authentication ran.</summary>
    public static UserInfo? User(this HttpContext ctx) => ctx.Items[UserKey] as UserInfo;

    internal static void SetUser(this HttpContext ctx, UserInfo user) => ctx.Items[UserKey] = user;

    public static RequestAttributes? Attributes(this HttpContext ctx) => ctx.Items[AttributesKey] as RequestAttributes;

    internal static void SetAttributes(this HttpContext ctx, RequestAttributes attributes) => ctx.Items[AttributesKey] = attributes;
}
