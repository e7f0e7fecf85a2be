using Microsoft.AspNetCore.Http;

namespace Navarch.Agent.Server;

/// <summary>
/// The paths the agent serves: <c>/healthz</c>, <c>GET /containerLogs/{ns}/{pod}/{container}</c>,
/// <c>/exec/{ns}/{pod}/{container}</c>, <c>/attach/{ns}/{pod}/{container}</c> and <c>/portForward/{ns}/{pod}[/{uid}]</c>; anything else is 404, a wrong
/// method on a known path 405.
/// </summary>
internal sealed class AgentRoutes(LogsHandler logs, ExecHandler exec, PortForwardHandler portForward)
{
    public Task DispatchAsync(HttpContext ctx)
    {
        var segments = (ctx.Request.Path.Value ?? "").Split('/', StringSplitOptions.RemoveEmptyEntries);
        var get = HttpMethods.IsGet(ctx.Request.Method);
        switch (segments)
        {
            case ["healthz"]:
                return get ? PlainAsync(ctx, 200, "ok") : PlainAsync(ctx, 405, "method not allowed");
            case ["containerLogs", var ns, var pod, var container]:
                return get ? logs.HandleAsync(ctx, ns, pod, container) : PlainAsync(ctx, 405, "method not allowed");
            case ["exec", var ns, var pod, var container]:
                return exec.HandleAsync(ctx, ns, pod, container);
            case ["attach", var ns, var pod, var container]:
                return exec.HandleAsync(ctx, ns, pod, container, attach: true);
            case ["portForward", var ns, var pod]:
                return portForward.HandleAsync(ctx, ns, pod, uid: null);
            case ["portForward", var ns, var pod, var uid]:
                return portForward.HandleAsync(ctx, ns, pod, uid);
            default:
                return PlainAsync(ctx, 404, "not found");
        }
    }

    /// <summary>A short text/plain answer.</summary>
    public static Task PlainAsync(HttpContext ctx, int code, string message)
    {
        ctx.Response.StatusCode = code;
        ctx.Response.ContentType = "text/plain; charset=utf-8";
        return ctx.Response.WriteAsync(message, ctx.RequestAborted);
    }
}
