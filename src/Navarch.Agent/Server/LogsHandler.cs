using Microsoft.AspNetCore.Http;
using Navarch.Cri;

namespace Navarch.Agent.Server;

/// <summary>
/// <c>GET /containerLogs/{ns}/{pod}/{container}</c>: finds the container instance (current or previous) and streams its
/// CRI log file. Errors are plain text with upstream kubelet's status codes and messages (404 for an unknown pod or
/// container, 400 for a container without logs to show).
/// </summary>
public sealed class LogsHandler(ICriRuntime runtime, IContainerLocator locator, ContainerLogStreamer streamer, TimeProvider time)
{
    /// <summary>Serves one log request.</summary>
    public async Task HandleAsync(HttpContext ctx, string ns, string pod, string container)
    {
        var ct = ctx.RequestAborted;
        var options = LogOptions.Parse(ctx.Request.Query, time.GetUtcNow(), out var error);
        if (options is null) { await AgentRoutes.PlainAsync(ctx, 400, error); return; }

        var located = await locator.FindAsync(ns, pod, container, ct);
        if (located is null) { await AgentRoutes.PlainAsync(ctx, 404, $"pod \"{pod}\" does not exist"); return; }
        if (!located.Declared) { await AgentRoutes.PlainAsync(ctx, 404, $"container \"{container}\" not found in pod \"{pod}\""); return; }
        var id = ContainerInstance.ForLogs(located.Status, options.Previous, container, pod, out error);
        if (id is null) { await AgentRoutes.PlainAsync(ctx, 400, error); return; }

        ContainerStatus status;
        try
        {
            status = await runtime.ContainerStatusAsync(id, ct);
        }
        catch (RuntimeException e)
        {
            await AgentRoutes.PlainAsync(ctx, 400, $"failed to get container status \"{id}\": {e.Message}");
            return;
        }
        if (string.IsNullOrEmpty(status.LogPath) || !File.Exists(status.LogPath))
        {
            await AgentRoutes.PlainAsync(ctx, 400, $"failed to try resolving symlinks in path \"{status.LogPath}\": lstat {status.LogPath}: no such file or directory");
            return;
        }

        ctx.Response.StatusCode = 200;
        ctx.Response.ContentType = "text/plain";
        await ctx.Response.StartAsync(ct);
        await streamer.CopyAsync(status.LogPath, options, ctx.Response.Body, async c => await IsRunningAsync(id, c), ct);
    }

    private async Task<bool> IsRunningAsync(string id, CancellationToken ct)
    {
        try
        {
            return (await runtime.ContainerStatusAsync(id, ct)).State == ContainerState.Running;
        }
        catch (RuntimeException e) when (e.Code == RuntimeErrorCode.NotFound)
        {
            return false;
        }
    }
}
