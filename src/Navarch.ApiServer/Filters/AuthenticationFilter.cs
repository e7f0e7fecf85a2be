using Microsoft.AspNetCore.Http;
using Navarch.ApiServer.Authentication;
using Navarch.ApiServer.Http;
using Navarch.ApiServer.Registry;

namespace Navarch.ApiServer.Filters;

/// <summary>
/// Second filter: who sent the request. On TLS the authenticators decide (a bad credential gets upstream's 401);
/// on the insecure port, which listens on loopback or the lab only, every request is the privileged
/// <see cref="UserInfo.InsecurePort"/>, as upstream's insecure port was.
/// </summary>
public sealed class AuthenticationFilter(RequestDelegate next, IAuthenticator authenticator)
{
    public async Task InvokeAsync(HttpContext ctx)
    {
        if (!ctx.Request.IsHttps)
        {
            ctx.SetUser(UserInfo.InsecurePort);
            await next(ctx);
            return;
        }
        var result = await authenticator.AuthenticateAsync(ctx, ctx.RequestAborted);
        if (result.User is null) throw Unauthorized();
        ctx.SetUser(result.User);
        await next(ctx);
    }

    public static ApiException Unauthorized() => new(401, "Unauthorized", "Unauthorized");
}
