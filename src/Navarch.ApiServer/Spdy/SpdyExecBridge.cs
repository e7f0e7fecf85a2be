using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Navarch.Streaming;
using Navarch.Streaming.Spdy;

namespace Navarch.ApiServer.Spdy;

/// <summary>
/// Serves <c>pods/exec</c> to SPDY/3.1 clients (kubectl 1.27–1.29, and later ones falling back) by translating to the
/// node agent's WebSocket exec (<c>v5.channel.k8s.io</c>, or v4 from an older agent): the client's stdin stream
/// becomes agent channel 0 (its FIN a v5 close of channel 0), its resize stream channel 4; agent channel 1 becomes
/// data on the client's stdout stream, 2 on its stderr stream, 3 (the Status) on its error stream. When the agent
/// closes, every stream gets a FIN, then the connection a GOAWAY. The bridge never throws: a broken or malformed
/// connection just ends it.
/// </summary>
public sealed class SpdyExecBridge(Stream client, WebSocket agent, string protocol, IReadOnlyList<ExecStreamRole> expected)
{
    /// <summary>
    /// Served in order of preference. v4 has the Status on the error stream, with the exit code in its causes; v3/v2/v1
    /// get the Status's message there, and only on failure.
    /// </summary>
    public static readonly IReadOnlyList<string> Protocols = [RemoteCommand.V4, RemoteCommand.V3, "v2.channel.k8s.io", "channel.k8s.io"];

    // Upstream's client waits 30 s (createStreamResponseTimeout) for each stream's reply; we wait as long for them all.
    private static readonly TimeSpan StreamSetupTimeout = TimeSpan.FromSeconds(30);
    // After our GOAWAY the client resets its streams and sends its own GOAWAY; reading until then avoids cutting it off.
    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(5);
    private const int MaxStatusLength = 64 * 1024;
    private const int MaxDataFrame = 32 * 1024;

    private readonly Lock _streamsLock = new();
    // Guarded by _streamsLock: the read loop adds streams while the relay looks them up.
    private readonly Dictionary<ExecStreamRole, uint> _byRole = [];
    private readonly List<uint> _opened = [];

    /// <summary>Whether the request asks to upgrade to SPDY/3.1 (upstream's check: the token appears in both headers).</summary>
    public static bool IsUpgradeRequest(HttpRequest request) =>
        SpdyUpgrade.IsRequested(request.Headers.Connection, request.Headers.Upgrade);

    /// <summary>The best of <see cref="Protocols"/> the client offers, or null when it offers none of them.</summary>
    public static string? ChooseProtocol(StringValues offered)
    {
        var values = SpdyUpgrade.Offered(offered);
        return Protocols.FirstOrDefault(values.Contains);
    }

    /// <summary>Runs until the agent finished and the client let go (or either side broke); never throws.</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        await using var writer = new SpdyFrameWriter(client);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var clientLoop = ReadClientAsync(new SpdyFrameReader(client), writer, ready, cts.Token);
        try
        {
            // Until the client has its streams there is nowhere to put the agent's output (it waits in the socket).
            var setup = Task.Delay(StreamSetupTimeout, cts.Token);
            if (await Task.WhenAny(ready.Task, clientLoop, setup) != ready.Task && clientLoop.IsCompleted) return;

            var relay = RelayAgentAsync(writer, cts.Token);
            if (await Task.WhenAny(relay, clientLoop) != relay) return;

            uint[] opened;
            lock (_streamsLock) opened = [.. _opened];
            foreach (var id in opened) await writer.WriteDataAsync(id, ReadOnlyMemory<byte>.Empty, fin: true, cts.Token);
            await writer.WriteGoAwayAsync(opened.DefaultIfEmpty(0u).Max(), 0, cts.Token);
            await clientLoop.WaitAsync(CloseTimeout, cts.Token);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException or TimeoutException or WebSocketException)
        {
            // The client or the agent went away; nobody is left to tell.
        }
        finally
        {
            await cts.CancelAsync();
            await clientLoop;
            await CloseAgentAsync();
        }
    }

    /// <summary>Answers the client's frames: SYN_REPLY to each new stream, PING echoed; returns at EOF, GOAWAY or a broken frame.</summary>
    private async Task ReadClientAsync(SpdyFrameReader reader, SpdyFrameWriter writer, TaskCompletionSource ready, CancellationToken ct)
    {
        try
        {
            while (await reader.ReadAsync(ct) is { } frame)
            {
                switch (frame.Type)
                {
                    case SpdyFrameType.SynStream:
                        int count;
                        lock (_streamsLock)
                        {
                            if (_opened.Count < expected.Count) _byRole[expected[_opened.Count]] = frame.StreamId;
                            _opened.Add(frame.StreamId);
                            count = _opened.Count;
                        }
                        await writer.WriteSynReplyAsync(frame.StreamId, [], fin: false, ct);
                        if (count >= expected.Count) ready.TrySetResult();
                        break;
                    case SpdyFrameType.Ping:
                        await writer.WritePingAsync(frame.StreamId, ct);
                        break;
                    case SpdyFrameType.Data:
                        await ForwardInputAsync(frame, ct);
                        break;
                    case SpdyFrameType.GoAway:
                        return;
                    // RST_STREAM when the client tears its streams down, SETTINGS, WINDOW_UPDATE (spdystream does no
                    // flow control) and HEADERS need nothing.
                }
            }
        }
        catch (Exception e) when (e is SpdyProtocolException or IOException or ObjectDisposedException or OperationCanceledException or WebSocketException)
        {
        }
    }

    /// <summary>The client's stdin and resize data to the agent; the FIN of stdin as a v5 close (v4 cannot say it).</summary>
    private async Task ForwardInputAsync(SpdyFrame frame, CancellationToken ct)
    {
        var role = RoleOf(frame.StreamId);
        if (role is ExecStreamRole.Stdin or ExecStreamRole.Resize && frame.Payload.Length > 0)
        {
            var channel = role == ExecStreamRole.Stdin ? RemoteCommand.StdinChannel : RemoteCommand.ResizeChannel;
            await agent.SendAsync((byte[])[channel, .. frame.Payload], WebSocketMessageType.Binary, endOfMessage: true, ct);
        }
        if (role == ExecStreamRole.Stdin && frame.Fin && agent.SubProtocol == RemoteCommand.V5)
            await agent.SendAsync((byte[])[RemoteCommand.CloseChannel, RemoteCommand.StdinChannel], WebSocketMessageType.Binary, endOfMessage: true, ct);
    }

    /// <summary>Forwards the agent's channels to the client's streams until the agent closes.</summary>
    private async Task RelayAgentAsync(SpdyFrameWriter writer, CancellationToken ct)
    {
        var buffer = new byte[MaxDataFrame];
        var status = new MemoryStream();
        int channel = -1; // -1 between messages: the next fragment's first byte names the channel
        while (true)
        {
            var r = await agent.ReceiveAsync(buffer, ct);
            if (r.MessageType == WebSocketMessageType.Close) return;
            var data = buffer.AsMemory(0, r.Count);
            if (channel < 0 && data.Length > 0)
            {
                channel = data.Span[0];
                data = data[1..];
            }
            if (channel == 3)
            {
                if (status.Length + data.Length <= MaxStatusLength) status.Write(data.Span);
            }
            else if (channel is 1 or 2 && data.Length > 0 && StreamOf(channel == 1 ? ExecStreamRole.Stdout : ExecStreamRole.Stderr) is { } id)
            {
                await writer.WriteDataAsync(id, data, fin: false, ct);
            }
            if (!r.EndOfMessage) continue;
            if (channel == 3 && StreamOf(ExecStreamRole.Error) is { } errorId && ErrorStreamPayload(status.ToArray()) is { Length: > 0 } payload)
                await writer.WriteDataAsync(errorId, payload, fin: false, ct);
            status.SetLength(0);
            channel = -1;
        }
    }

    /// <summary>v4 reads the Status itself; older versions read plain text and treat any as a failure, so success sends nothing.</summary>
    private byte[] ErrorStreamPayload(byte[] status)
    {
        if (protocol == RemoteCommand.V4) return status;
        try
        {
            using var json = JsonDocument.Parse(status);
            var root = json.RootElement;
            if (root.TryGetProperty("status", out var s) && s.ValueKind == JsonValueKind.String && s.GetString() == "Success") return [];
            var message = root.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
            return Encoding.UTF8.GetBytes(string.IsNullOrEmpty(message) ? "command failed" : message);
        }
        catch (JsonException)
        {
            return status;
        }
    }

    private uint? StreamOf(ExecStreamRole role)
    {
        lock (_streamsLock) return _byRole.TryGetValue(role, out var id) ? id : null;
    }

    private ExecStreamRole? RoleOf(uint streamId)
    {
        lock (_streamsLock)
            foreach (var (role, id) in _byRole)
                if (id == streamId) return role;
        return null;
    }

    private async Task CloseAgentAsync()
    {
        if (agent.State is not (WebSocketState.Open or WebSocketState.CloseReceived)) return;
        using var timeout = new CancellationTokenSource(CloseTimeout);
        try
        {
            await agent.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException)
        {
            agent.Abort();
        }
    }
}
