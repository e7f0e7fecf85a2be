using Microsoft.AspNetCore.Http;

namespace Navarch.Agent.Server.Auth;

/// <summary>
/// In front of every path of the agent's server, as upstream kubelet's auth filter: authenticate (401
/// <c>Unauthorized</c>), map the request to node attributes, authorize with a SubjectAccessReview (403 with upstream's
/// <c>Forbidden (user=…, verb=…, resource=nodes, subresource(s)=[…])</c>), then serve.
/// </summary>
internal sealed class AgentAuthFilter(AgentAuthOptions options, string nodeName, RequestDelegate next, TimeProvider time)
{
    private readonly AgentAuthenticator _authenticator = new(options, time);

    public async Task InvokeAsync(HttpContext ctx)
    {
        AgentUser? user;
        try
        {
            user = await _authenticator.AuthenticateAsync(ctx);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The API server could not be asked: not the client's fault, and not a crash either.
            await AgentRoutes.PlainAsync(ctx, 503, $"Authentication error: {e.Message}");
            return;
        }
        if (user is null)
        {
            await AgentRoutes.PlainAsync(ctx, 401, "Unauthorized");
            return;
        }
        var attributes = AgentRequestAttributes.For(ctx.Request.Method, ctx.Request.Path.Value ?? "/", nodeName);
        if (!options.AlwaysAllow)
        {
            bool allowed;
            try
            {
                allowed = await AnyAllowedAsync(user, attributes, ctx.RequestAborted);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                await AgentRoutes.PlainAsync(ctx, 503, $"Authorization error (user={user.Name}, verb={attributes.Verb}, resource=nodes, subresource(s)=[{string.Join(' ', attributes.Subresources)}]): {e.Message}");
                return;
            }
            if (!allowed)
            {
                await AgentRoutes.PlainAsync(ctx, 403, attributes.ForbiddenMessage(user.Name));
                return;
            }
        }
        await next(ctx);
    }

    /// <summary>Allowed when the first subresource is, or a fallback (proxy) is.</summary>
    private async Task<bool> AnyAllowedAsync(AgentUser user, AgentRequestAttributes attributes, CancellationToken ct)
    {
        foreach (var subresource in attributes.Subresources)
            if (await options.Reviews!.AllowedAsync(user, attributes.Verb, subresource, attributes.NodeName, ct)) return true;
        return false;
    }
}
