using System.Net.WebSockets;
using Microsoft.AspNetCore.Http;
using Navarch.Agent.Runtime;

namespace Navarch.Agent.Server;

/// <summary>
/// <c>/exec/{ns}/{pod}/{container}?command=…&amp;stdout=1&amp;stderr=1</c> over WebSocket (v5/v4.channel.k8s.io): runs the
/// command to completion through the runtime (CRI ExecSync: non-interactive, so no stdin and no terminal), sends its
/// stdout on channel 1 and stderr on channel 2, then the Status on channel 3, then closes.
/// </summary>
public sealed class ExecHandler(ICriRuntime runtime, IContainerLocator locator)
{
    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Serves one exec request.</summary>
    public async Task HandleAsync(HttpContext ctx, string ns, string pod, string container)
    {
        if (!ctx.WebSockets.IsWebSocketRequest)
        {
            await AgentRoutes.PlainAsync(ctx, 400, "Upgrade request required: exec is served over WebSocket (v5.channel.k8s.io, v4.channel.k8s.io)");
            return;
        }
        var protocol = RemoteCommand.Choose(ctx.WebSockets.WebSocketRequestedProtocols);
        if (protocol is null)
        {
            await AgentRoutes.PlainAsync(ctx, 400, $"unsupported remote command protocols [{string.Join(' ', ctx.WebSockets.WebSocketRequestedProtocols)}]: want {RemoteCommand.V5} or {RemoteCommand.V4}");
            return;
        }
        var query = ctx.Request.Query;
        var command = query["command"].Where(c => c is not null).Select(c => c!).ToArray();
        var stdout = Flag(query, "stdout");
        var stderr = Flag(query, "stderr");

        using var socket = await ctx.WebSockets.AcceptWebSocketAsync(protocol);
        var ct = ctx.RequestAborted;
        // Read the client's side throughout, so its close (and v5 channel closes, resizes) are handled.
        var drain = DrainAsync(socket, ct);
        byte[] status;
        if (command.Length == 0)
            status = ExecStatus.BadRequest("you must specify at least 1 command");
        else if (Flag(query, "tty") || Flag(query, "stdin"))
            status = ExecStatus.BadRequest("this agent runs exec commands non-interactively: stdin and tty are not supported (run kubectl exec without -i and -t)");
        else
            status = await RunAsync(socket, ns, pod, container, command, stdout, stderr, ct);

        try
        {
            await SendAsync(socket, RemoteCommand.ErrorChannel, status, ct);
            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, ct);
            await drain.WaitAsync(CloseTimeout, ct);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or TimeoutException)
        {
            // The client went away first; nothing left to tell it.
        }
    }

    private async Task<byte[]> RunAsync(WebSocket socket, string ns, string pod, string container, string[] command, bool stdout, bool stderr, CancellationToken ct)
    {
        var located = await locator.FindAsync(ns, pod, container, ct);
        if (located is null) return ExecStatus.InternalError($"pod \"{pod}\" does not exist");
        var id = ContainerInstance.ForExec(located.Status, container, pod, out var error);
        if (id is null) return ExecStatus.InternalError(error);
        ExecResult result;
        try
        {
            result = await runtime.ExecSyncAsync(id, command, TimeSpan.Zero, ct);
        }
        catch (RuntimeException e)
        {
            return ExecStatus.InternalError(e.Message);
        }
        if (stdout && result.Stdout.Length > 0) await SendAsync(socket, RemoteCommand.StdoutChannel, result.Stdout, ct);
        if (stderr && result.Stderr.Length > 0) await SendAsync(socket, RemoteCommand.StderrChannel, result.Stderr, ct);
        return result.ExitCode == 0 ? ExecStatus.Success() : ExecStatus.NonZeroExit(command, result.ExitCode);
    }

    private static async Task SendAsync(WebSocket socket, byte channel, byte[] data, CancellationToken ct)
    {
        var frame = new byte[data.Length + 1];
        frame[0] = channel;
        data.CopyTo(frame, 1);
        await socket.SendAsync(frame, WebSocketMessageType.Binary, endOfMessage: true, ct);
    }

    private static async Task DrainAsync(WebSocket socket, CancellationToken ct)
    {
        var buffer = new byte[4096];
        try
        {
            while (socket.State is WebSocketState.Open or WebSocketState.CloseSent)
            {
                var r = await socket.ReceiveAsync(buffer, ct);
                if (r.MessageType == WebSocketMessageType.Close) return;
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
        }
    }

    private static bool Flag(IQueryCollection query, string name) =>
        query.TryGetValue(name, out var v) && v.ToString() is "1" or "true" or "True";
}
