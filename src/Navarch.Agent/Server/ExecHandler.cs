using System.Net.WebSockets;
using Microsoft.AspNetCore.Http;
using Navarch.Cri;
using Navarch.Streaming;

namespace Navarch.Agent.Server;

/// <summary>
/// <c>/exec/{ns}/{pod}/{container}?command=…&amp;stdin=1&amp;stdout=1&amp;stderr=1&amp;tty=1</c> and
/// <c>/attach/{ns}/{pod}/{container}?stdin=1&amp;…</c> over WebSocket (v5/v4.channel.k8s.io). Both run through the
/// runtime's streaming server (CRI Exec, CRI Attach), so stdin, terminals and output as it comes all work; a runtime
/// without one (the fake) runs exec to completion through CRI ExecSync, without stdin or a terminal, and cannot
/// attach. Either way the Status follows on channel 3, then the close.
/// </summary>
public sealed class ExecHandler(ICriRuntime runtime, IContainerLocator locator)
{
    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(5);

    /// <summary>What the request asks for.</summary>
    private sealed record ExecRequest(string[] Command, bool Stdin, bool Stdout, bool Stderr, bool Tty);

    /// <summary>How a request is served: a Status right away, the runtime's stream at a URL, or ExecSync in a container.</summary>
    private sealed record ExecPlan(byte[]? Failure = null, Uri? Stream = null, string? SyncContainerId = null);

    /// <summary>Serves one exec request, or with <paramref name="attach"/> one attach request.</summary>
    public async Task HandleAsync(HttpContext ctx, string ns, string pod, string container, bool attach = false)
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
        var request = new ExecRequest(
            attach ? [] : query["command"].Where(c => c is not null).Select(c => c!).ToArray(),
            Flag(query, "stdin"), Flag(query, "stdout"), Flag(query, "stderr"), Flag(query, "tty"));

        using var socket = await ctx.WebSockets.AcceptWebSocketAsync(protocol);
        // Cancelled when the client leaves first, which ends the command's stream (or its wait for ExecSync).
        using var session = CancellationTokenSource.CreateLinkedTokenSource(ctx.RequestAborted);
        var ct = session.Token;
        try
        {
            var plan = await PlanAsync(ns, pod, container, request, attach, ct);
            var stream = plan.Stream is null ? null : new RuntimeExecStream(socket, request.Stdin, request.Stdout, request.Stderr, request.Tty);
            var reading = ReadClientAsync(socket, stream, session);
            var status = plan.Failure
                ?? (stream is not null ? await stream.RunAsync(plan.Stream!, ct) : await RunSyncAsync(socket, plan.SyncContainerId!, request, ct));

            await SendAsync(socket, RemoteCommand.ErrorChannel, status, ct);
            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, ct);
            await reading.WaitAsync(CloseTimeout, ct);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or TimeoutException)
        {
            // The client went away first; nothing left to tell it.
        }
    }

    private async Task<ExecPlan> PlanAsync(string ns, string pod, string container, ExecRequest request, bool attach, CancellationToken ct)
    {
        if (!attach && request.Command.Length == 0) return new(Failure: ExecStatus.BadRequest("you must specify at least 1 command"));
        var located = await locator.FindAsync(ns, pod, container, ct);
        if (located is null) return new(Failure: ExecStatus.InternalError($"pod \"{pod}\" does not exist"));
        var id = ContainerInstance.ForExec(located.Status, container, pod, out var error);
        if (id is null) return new(Failure: ExecStatus.InternalError(error));
        try
        {
            // CRI forbids stderr with a terminal: its output is the terminal's. No command: an attach.
            var streamRequest = new ExecStreamRequest(id, request.Command, request.Stdin, request.Stdout, request.Stderr && !request.Tty, request.Tty);
            return new(Stream: await runtime.ExecStreamAsync(streamRequest, ct));
        }
        catch (RuntimeException e) when (e.Code == RuntimeErrorCode.Unimplemented && attach)
        {
            return new(Failure: ExecStatus.BadRequest($"this node's runtime cannot attach to containers: {e.Message}"));
        }
        catch (RuntimeException e) when (e.Code == RuntimeErrorCode.Unimplemented)
        {
            return request.Stdin || request.Tty
                ? new(Failure: ExecStatus.BadRequest("this node's runtime runs exec commands non-interactively: stdin and tty are not supported (run kubectl exec without -i and -t)"))
                : new(SyncContainerId: id);
        }
        catch (RuntimeException e)
        {
            return new(Failure: ExecStatus.InternalError(e.Message));
        }
    }

    /// <summary>ExecSync: the whole output once the command has finished, then its Status.</summary>
    private async Task<byte[]> RunSyncAsync(WebSocket socket, string containerId, ExecRequest request, CancellationToken ct)
    {
        ExecResult result;
        try
        {
            result = await runtime.ExecSyncAsync(containerId, request.Command, TimeSpan.Zero, ct);
        }
        catch (RuntimeException e)
        {
            return ExecStatus.InternalError(e.Message);
        }
        if (request.Stdout && result.Stdout.Length > 0) await SendAsync(socket, RemoteCommand.StdoutChannel, result.Stdout, ct);
        if (request.Stderr && result.Stderr.Length > 0) await SendAsync(socket, RemoteCommand.StderrChannel, result.Stderr, ct);
        return result.ExitCode == 0 ? ExecStatus.Success() : ExecStatus.NonZeroExit(request.Command, result.ExitCode);
    }

    private static async Task SendAsync(WebSocket socket, byte channel, byte[] data, CancellationToken ct) =>
        await socket.SendAsync((byte[])[channel, .. data], WebSocketMessageType.Binary, endOfMessage: true, ct);

    /// <summary>
    /// Reads the client's side throughout: input goes to <paramref name="stream"/> (if any), and a close or a broken
    /// connection before the end cancels <paramref name="session"/>.
    /// </summary>
    private static async Task ReadClientAsync(WebSocket socket, RuntimeExecStream? stream, CancellationTokenSource session)
    {
        var buffer = new byte[32 * 1024];
        var ct = session.Token;
        int channel = -1; // -1 between messages: the next fragment's first byte names the channel
        try
        {
            while (socket.State is WebSocketState.Open or WebSocketState.CloseSent)
            {
                var r = await socket.ReceiveAsync(buffer, ct);
                if (r.MessageType == WebSocketMessageType.Close) break;
                var data = buffer.AsMemory(0, r.Count);
                if (channel < 0 && data.Length > 0)
                {
                    channel = data.Span[0];
                    data = data[1..];
                }
                if (stream is not null && channel >= 0) await stream.ForwardClientAsync((byte)channel, data, ct);
                if (r.EndOfMessage) channel = -1;
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
        try
        {
            // Closed: the client answered our close. Anything else: it left before the end.
            if (socket.State != WebSocketState.Closed) await session.CancelAsync();
        }
        catch (ObjectDisposedException)
        {
            // The request is over already.
        }
    }

    private static bool Flag(IQueryCollection query, string name) =>
        query.TryGetValue(name, out var v) && v.ToString() is "1" or "true" or "True";
}
