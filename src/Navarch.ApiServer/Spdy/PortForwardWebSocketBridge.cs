using System.Buffers.Binary;
using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using Microsoft.Extensions.Primitives;
using Navarch.Streaming.Spdy;

namespace Navarch.ApiServer.Spdy;

/// <summary>
/// Serves <c>pods/portforward</c> to WebSocket clients of the channel protocol (the official Python and JavaScript
/// clients), as upstream's kubelet does (pkg/kubelet/cri/streaming/portforward/websocket.go): port i of the request
/// owns channel 2i (data, both ways) and 2i+1 (errors, from the server), each opened by the server with the port as
/// two bytes little-endian; a message is the channel byte, then the payload (base64 text after an ASCII digit in
/// <c>v4.base64.channel.k8s.io</c>). Behind it runs a SPDY port-forward session to the runtime, as kubectl's: per port
/// an error stream (half-closed at once) and a data stream, with headers <c>streamType</c>, <c>port</c> and
/// <c>requestID</c>. A port ends when the runtime closes both its streams; the WebSocket closes when every port
/// ended, and a closed WebSocket ends the session. The bridge never throws: a broken connection just ends it.
/// </summary>
public sealed class PortForwardWebSocketBridge
{
    public const string BinaryProtocol = "v4.channel.k8s.io";
    public const string Base64Protocol = "v4.base64.channel.k8s.io";

    /// <summary>
    /// What is served, besides no protocol at all (binary, as upstream). <c>portforward.k8s.io</c>, the SPDY protocol's
    /// name, is taken as binary channels too.
    /// </summary>
    public static readonly IReadOnlyList<string> Protocols = [BinaryProtocol, Base64Protocol, "portforward.k8s.io"];

    // After our GOAWAY the runtime ends the connection; reading until then lets it finish cleanly.
    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(5);
    private const int MaxMessage = 1 << 20;

    private readonly WebSocket _client;
    private readonly Stream _runtime;
    private readonly bool _base64;
    private readonly PortStreams[] _ports;

    /// <param name="runtime">A connection already switched to SPDY/3.1 with <c>portforward.k8s.io</c>.</param>
    public PortForwardWebSocketBridge(WebSocket client, Stream runtime, IReadOnlyList<ushort> ports)
    {
        _client = client;
        _runtime = runtime;
        _base64 = client.SubProtocol == Base64Protocol;
        // Stream ids as kubectl's spdystream gives them: odd, rising, the error stream of a port before its data stream.
        _ports = ports.Select((port, i) => new PortStreams(port, errorId: (uint)(4 * i + 1), dataId: (uint)(4 * i + 3))).ToArray();
    }

    /// <summary>The first protocol of the client's that is served; "" when it offers none; null when none of its offers is served.</summary>
    public static string? ChooseProtocol(IList<string> offered) =>
        offered.Count == 0 ? "" : offered.FirstOrDefault(Protocols.Contains);

    /// <summary>
    /// The ports of <c>ports=80&amp;ports=8080</c> or <c>ports=80,8080</c>, in order; throws <see cref="FormatException"/>
    /// with upstream's wording when one is missing, empty, not a number or 0.
    /// </summary>
    public static ushort[] ParsePorts(StringValues values)
    {
        if (values.Count == 0) throw new FormatException("query parameter \"ports\" is required");
        var ports = new List<ushort>();
        foreach (var value in values)
        {
            if (string.IsNullOrEmpty(value)) throw new FormatException("query parameter \"ports\" cannot be empty");
            foreach (var part in value.Split(','))
            {
                if (!ushort.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var port))
                    throw new FormatException($"unable to parse \"{value}\" as a port: \"{part}\" is not a number from 1 to 65535");
                if (port < 1) throw new FormatException($"port \"{value}\" must be > 0");
                ports.Add(port);
            }
        }
        return [.. ports];
    }

    /// <summary>Runs until every port ended or the client left (or either side broke); never throws.</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        await using var writer = new SpdyFrameWriter(_runtime);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        Task? clientLoop = null, runtimeLoop = null;
        try
        {
            for (var i = 0; i < _ports.Length; i++) await OpenAsync(writer, i, cts.Token);
            runtimeLoop = ReadRuntimeAsync(new SpdyFrameReader(_runtime), writer, cts.Token);
            clientLoop = ReadClientAsync(writer, cts.Token);
            if (await Task.WhenAny(runtimeLoop, clientLoop) == runtimeLoop)
            {
                // Every port ended (upstream closes the WebSocket then); the client answers our close.
                await CloseClientAsync();
                await clientLoop.WaitAsync(CloseTimeout, cts.Token);
            }
            // As kubectl ends a session: its side of every data stream closed, then GOAWAY.
            foreach (var port in _ports) await writer.WriteDataAsync(port.DataId, ReadOnlyMemory<byte>.Empty, fin: true, cts.Token);
            await writer.WriteGoAwayAsync(0, 0, cts.Token);
            await runtimeLoop.WaitAsync(CloseTimeout, cts.Token);
        }
        catch (Exception e) when (IsConnectionFailure(e) || e is TimeoutException)
        {
            // The client or the runtime went away or broke its protocol; nobody is left to tell.
        }
        finally
        {
            await cts.CancelAsync();
            await IgnoreFailureAsync(runtimeLoop);
            await IgnoreFailureAsync(clientLoop);
            await CloseClientAsync();
        }
    }

    /// <summary>Opens port <paramref name="index"/>'s two streams to the runtime and its two channels to the client.</summary>
    private async Task OpenAsync(SpdyFrameWriter writer, int index, CancellationToken ct)
    {
        var port = _ports[index];
        var number = port.Port.ToString(CultureInfo.InvariantCulture);
        var requestId = index.ToString(CultureInfo.InvariantCulture);
        await writer.WriteSynStreamAsync(port.ErrorId, [new("streamType", "error"), new("port", number), new("requestID", requestId)], fin: false, ct);
        // Nothing is ever written to the error stream (kubectl closes it at once too).
        await writer.WriteDataAsync(port.ErrorId, ReadOnlyMemory<byte>.Empty, fin: true, ct);
        await writer.WriteSynStreamAsync(port.DataId, [new("streamType", "data"), new("port", number), new("requestID", requestId)], fin: false, ct);

        var portBytes = new byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(portBytes, port.Port);
        await SendAsync(2 * index, portBytes, ct);
        await SendAsync(2 * index + 1, portBytes, ct);
    }

    /// <summary>The client's data channels to the ports' data streams; returns when the client closes or breaks.</summary>
    private async Task ReadClientAsync(SpdyFrameWriter writer, CancellationToken ct)
    {
        var buffer = new byte[32 * 1024];
        var text = new MemoryStream();
        int channel = -1; // -1 between messages: the next fragment's first byte names the channel
        while (true)
        {
            var r = await _client.ReceiveAsync(buffer, ct);
            if (r.MessageType == WebSocketMessageType.Close) return;
            var data = buffer.AsMemory(0, r.Count);
            if (channel < 0 && data.Length > 0)
            {
                channel = _base64 ? data.Span[0] - '0' : data.Span[0];
                data = data[1..];
            }
            if (_base64)
            {
                if (text.Length + data.Length > MaxMessage) throw new IOException($"a text message over {MaxMessage} bytes");
                text.Write(data.Span);
                if (r.EndOfMessage) await ForwardAsync(writer, channel, Convert.FromBase64String(Encoding.ASCII.GetString(text.GetBuffer(), 0, (int)text.Length)), ct);
            }
            else
            {
                await ForwardAsync(writer, channel, data, ct);
            }
            if (!r.EndOfMessage) continue;
            text.SetLength(0);
            channel = -1;
        }
    }

    /// <summary>Data for a port's data channel goes to its stream; the error channels only go to the client (upstream ignores input on them).</summary>
    private async Task ForwardAsync(SpdyFrameWriter writer, int channel, ReadOnlyMemory<byte> data, CancellationToken ct)
    {
        if (data.Length == 0 || channel < 0 || channel % 2 != 0 || channel / 2 >= _ports.Length) return;
        var port = _ports[channel / 2];
        if (!port.DataDone) await writer.WriteDataAsync(port.DataId, data, fin: false, ct);
    }

    /// <summary>The runtime's streams to the client's channels; returns when every port ended or the runtime left.</summary>
    private async Task ReadRuntimeAsync(SpdyFrameReader reader, SpdyFrameWriter writer, CancellationToken ct)
    {
        while (_ports.Any(p => !p.Done) && await reader.ReadAsync(ct) is { } frame)
        {
            if (frame.Type == SpdyFrameType.Ping)
            {
                await writer.WritePingAsync(frame.StreamId, ct);
                continue;
            }
            if (frame.Type == SpdyFrameType.GoAway) return;
            // SYN_REPLY accepts a stream; SETTINGS, WINDOW_UPDATE and HEADERS need nothing.
            var index = Array.FindIndex(_ports, p => p.DataId == frame.StreamId || p.ErrorId == frame.StreamId);
            if (index < 0) continue;
            var port = _ports[index];
            var isData = port.DataId == frame.StreamId;
            if (frame.Type == SpdyFrameType.Data && frame.Payload.Length > 0)
                await SendAsync(2 * index + (isData ? 0 : 1), frame.Payload, ct);
            var reset = frame.Type == SpdyFrameType.RstStream;
            var finished = frame.Fin && frame.Type is SpdyFrameType.Data or SpdyFrameType.SynReply;
            if (reset || (finished && isData)) port.DataDone = true;
            if (reset || (finished && !isData)) port.ErrorDone = true;
        }
    }

    private Task SendAsync(int channel, ReadOnlyMemory<byte> payload, CancellationToken ct)
    {
        if (_base64)
        {
            var message = Encoding.ASCII.GetBytes((char)('0' + channel) + Convert.ToBase64String(payload.Span));
            return _client.SendAsync(message, WebSocketMessageType.Text, endOfMessage: true, ct);
        }
        var frame = new byte[1 + payload.Length];
        frame[0] = (byte)channel;
        payload.Span.CopyTo(frame.AsSpan(1));
        return _client.SendAsync(frame, WebSocketMessageType.Binary, endOfMessage: true, ct);
    }

    private async Task CloseClientAsync()
    {
        if (_client.State is not (WebSocketState.Open or WebSocketState.CloseReceived)) return;
        using var timeout = new CancellationTokenSource(CloseTimeout);
        try
        {
            await _client.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException or ObjectDisposedException)
        {
            _client.Abort();
        }
    }

    private static async Task IgnoreFailureAsync(Task? task)
    {
        if (task is null) return;
        try
        {
            await task;
        }
        catch (Exception e) when (IsConnectionFailure(e))
        {
        }
    }

    /// <summary>What a broken or misbehaving peer makes the loops throw (FormatException: a client's bad base64).</summary>
    private static bool IsConnectionFailure(Exception e) =>
        e is SpdyProtocolException or IOException or ObjectDisposedException or OperationCanceledException or WebSocketException or FormatException;

    /// <summary>One forwarded port: its SPDY streams and whether the runtime closed them (set by the runtime loop, read by both).</summary>
    private sealed class PortStreams(ushort port, uint errorId, uint dataId)
    {
        public ushort Port { get; } = port;
        public uint ErrorId { get; } = errorId;
        public uint DataId { get; } = dataId;
        public volatile bool DataDone;
        public volatile bool ErrorDone;
        public bool Done => DataDone && ErrorDone;
    }
}
