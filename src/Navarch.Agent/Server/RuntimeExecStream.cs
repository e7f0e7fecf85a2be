using System.Net.Sockets;
using System.Net.WebSockets;
using Navarch.Streaming;
using Navarch.Streaming.Spdy;

namespace Navarch.Agent.Server;

/// <summary>
/// One interactive exec carried by the runtime's streaming server (the URL CRI Exec returns), as the kubelet proxies
/// it: SPDY/3.1 with <c>v4.channel.k8s.io</c> towards the runtime (containerd 1.6 speaks no v5, and only SPDY can
/// half-close stdin), WebSocket channels towards the client. Client channel 0 becomes the stdin stream, a v5 close of
/// channel 0 its FIN, channel 4 the resize stream; the stdout and stderr streams become channels 1 and 2; the error
/// stream's Status is returned for the caller to send on channel 3.
/// </summary>
public sealed class RuntimeExecStream
{
    private const int MaxStatusLength = 64 * 1024;

    private readonly WebSocket _client;
    private readonly IReadOnlyList<ExecStreamRole> _roles;
    private readonly Dictionary<ExecStreamRole, uint> _ids = [];
    // Set once the streams are open; until then the client's input waits (kubectl may type before we are connected).
    private readonly TaskCompletionSource<SpdyFrameWriter?> _runtime = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Prepares the streams a command with these options needs (stderr is merged into a terminal's output).</summary>
    public RuntimeExecStream(WebSocket client, bool stdin, bool stdout, bool stderr, bool tty)
    {
        _client = client;
        _roles = ExecStreams.Expected(RemoteCommand.V4, stdin, stdout, stderr, tty);
        // A client opens streams with odd ids, in order.
        for (var i = 0; i < _roles.Count; i++) _ids[_roles[i]] = (uint)(2 * i + 1);
    }

    /// <summary>
    /// Connects to <paramref name="url"/>, relays until the runtime has sent the command's Status (or went away) and
    /// returns that Status; a refused or broken connection becomes an InternalError Status. Never throws but for
    /// cancellation of <paramref name="ct"/>.
    /// </summary>
    public async Task<byte[]> RunAsync(Uri url, CancellationToken ct)
    {
        SpdyConnection connection;
        try
        {
            connection = await SpdyUpgrade.DialAsync(url, [RemoteCommand.V4], ct);
        }
        catch (Exception e) when (e is SpdyUpgradeException or SocketException or IOException)
        {
            _runtime.TrySetResult(null);
            return ExecStatus.InternalError($"error connecting to the runtime's stream server: {e.Message}");
        }
        await using (connection)
        {
            await using var writer = new SpdyFrameWriter(connection.Stream);
            try
            {
                foreach (var role in _roles)
                    await writer.WriteSynStreamAsync(_ids[role], [new(ExecStreams.StreamTypeHeader, ExecStreams.HeaderValue(role))], fin: false, ct);
                _runtime.TrySetResult(writer);
                return await RelayRuntimeAsync(new SpdyFrameReader(connection.Stream), writer, ct);
            }
            catch (Exception e) when (e is IOException or SpdyProtocolException or WebSocketException)
            {
                return ExecStatus.InternalError($"the stream to the runtime broke: {e.Message}");
            }
            finally
            {
                // From here on the client's input has nowhere to go.
                _runtime.TrySetResult(null);
            }
        }
    }

    /// <summary>
    /// Passes one message (or fragment) of the client's on to the runtime: stdin data, a resize, or (v5) the close of
    /// stdin. Input that arrives after the command ended, or for a stream the command does not have, is dropped.
    /// </summary>
    public async Task ForwardClientAsync(byte channel, ReadOnlyMemory<byte> data, CancellationToken ct)
    {
        if (await _runtime.Task.WaitAsync(ct) is not { } writer) return;
        try
        {
            switch (channel)
            {
                case RemoteCommand.StdinChannel when data.Length > 0 && _ids.TryGetValue(ExecStreamRole.Stdin, out var stdin):
                    await writer.WriteDataAsync(stdin, data, fin: false, ct);
                    break;
                case RemoteCommand.ResizeChannel when data.Length > 0 && _ids.TryGetValue(ExecStreamRole.Resize, out var resize):
                    await writer.WriteDataAsync(resize, data, fin: false, ct);
                    break;
                case RemoteCommand.CloseChannel when data.Length > 0 && data.Span[0] == RemoteCommand.StdinChannel && _ids.TryGetValue(ExecStreamRole.Stdin, out var closed):
                    await writer.WriteDataAsync(closed, ReadOnlyMemory<byte>.Empty, fin: true, ct);
                    break;
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // The runtime's side ended meanwhile; RunAsync reports that.
        }
    }

    /// <summary>Output to the client until the error stream ends (upstream's clients read it to its end), GOAWAY or EOF.</summary>
    private async Task<byte[]> RelayRuntimeAsync(SpdyFrameReader reader, SpdyFrameWriter writer, CancellationToken ct)
    {
        var status = new MemoryStream();
        while (await reader.ReadAsync(ct) is { } frame)
        {
            switch (frame.Type)
            {
                case SpdyFrameType.Data when frame.StreamId == _ids[ExecStreamRole.Error]:
                    if (status.Length + frame.Payload.Length <= MaxStatusLength) status.Write(frame.Payload);
                    if (frame.Fin) return Finished(status);
                    break;
                case SpdyFrameType.Data when frame.Payload.Length > 0 && ChannelOf(frame.StreamId) is { } channel:
                    await _client.SendAsync((byte[])[channel, .. frame.Payload], WebSocketMessageType.Binary, endOfMessage: true, ct);
                    break;
                case SpdyFrameType.Ping:
                    await writer.WritePingAsync(frame.StreamId, ct);
                    break;
                case SpdyFrameType.GoAway:
                    return Finished(status);
                // SYN_REPLY, SETTINGS, WINDOW_UPDATE (spdystream does no flow control), RST_STREAM and HEADERS need nothing.
            }
        }
        return Finished(status);
    }

    private byte? ChannelOf(uint streamId) =>
        _ids.TryGetValue(ExecStreamRole.Stdout, out var stdout) && stdout == streamId ? RemoteCommand.StdoutChannel
        : _ids.TryGetValue(ExecStreamRole.Stderr, out var stderr) && stderr == streamId ? RemoteCommand.StderrChannel
        : null;

    private static byte[] Finished(MemoryStream status) =>
        status.Length > 0 ? status.ToArray() : ExecStatus.InternalError("the runtime's stream server ended the exec without a status");
}
