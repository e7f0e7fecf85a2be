using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.IO.Compression;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Navarch.Streaming.Spdy;

namespace Navarch.Agent.Tests.Server;

/// <summary>One SPDY stream a client opened: its id and the headers that name it.</summary>
public sealed record OpenedStream(uint Id, string StreamType, string Port, string RequestId);

/// <summary>
/// A runtime's port-forward streaming server for one connection, as upstream's (kubelet streaming, which containerd
/// vendors) behaves with SPDY: it answers the upgrade, replies to each stream, pairs error and data streams by
/// requestID, and then per pair: port <see cref="RefusedPort"/> writes the error upstream writes and closes both
/// streams; any other port echoes its data until the client half-closes, then closes both. What it saw is recorded.
/// </summary>
public sealed class FakePortForwardServer : IAsyncDisposable
{
    /// <summary>The port nothing listens on in the pod.</summary>
    public const int RefusedPort = 7;

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new(TimeSpan.FromSeconds(30));
    private readonly Task _serving;
    private readonly ConcurrentQueue<OpenedStream> _opened = new();

    public FakePortForwardServer()
    {
        _listener.Start();
        _serving = ServeAsync();
    }

    public Uri Url => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/portforward/Tok3n");

    /// <summary>The streams the client opened, in order.</summary>
    public IReadOnlyList<OpenedStream> Opened => [.. _opened];

    /// <summary>Whether the client sent GOAWAY.</summary>
    public bool GoneAway { get; private set; }

    /// <summary>Waits for the connection to end.</summary>
    public Task Served => _serving;

    /// <summary>Upstream's message for a port with no listener (its spdy.go and the runtime's dial error).</summary>
    public static string RefusedMessage(int port) =>
        $"error forwarding port {port} to pod sandbox-1, uid : failed to execute portforward in network namespace: dial tcp4 127.0.0.1:{port}: connect: connection refused";

    private async Task ServeAsync()
    {
        using var socket = await _listener.AcceptSocketAsync(_stop.Token);
        await using var stream = new NetworkStream(socket);
        await FakeStreamServer.ReadHeadAsync(stream, _stop.Token);
        await stream.WriteAsync("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: portforward.k8s.io\r\n\r\n"u8.ToArray(), _stop.Token);

        var reader = new SpdyFrameReader(stream);
        await using var writer = new SpdyFrameWriter(stream);
        await using var headers = new HeaderBlockReader();
        var byRequest = new Dictionary<string, (uint? Error, uint? Data, int Port)>();
        var echoing = new HashSet<uint>();
        while (await reader.ReadAsync(_stop.Token) is { } frame)
        {
            switch (frame.Type)
            {
                case SpdyFrameType.SynStream:
                    var h = await headers.ReadAsync(frame.Payload.AsMemory(10), _stop.Token);
                    var opened = new OpenedStream(frame.StreamId, h.GetValueOrDefault("streamtype", ""), h.GetValueOrDefault("port", ""), h.GetValueOrDefault("requestid", ""));
                    _opened.Enqueue(opened);
                    await writer.WriteSynReplyAsync(frame.StreamId, [], fin: false, _stop.Token);
                    var pair = byRequest.GetValueOrDefault(opened.RequestId);
                    pair = opened.StreamType == "error" ? pair with { Error = frame.StreamId } : pair with { Data = frame.StreamId };
                    pair.Port = int.Parse(opened.Port);
                    byRequest[opened.RequestId] = pair;
                    if (pair is { Error: { } error, Data: { } data })
                    {
                        if (pair.Port == RefusedPort)
                        {
                            await writer.WriteDataAsync(error, Encoding.UTF8.GetBytes(RefusedMessage(pair.Port)), fin: true, _stop.Token);
                            await writer.WriteDataAsync(data, ReadOnlyMemory<byte>.Empty, fin: true, _stop.Token);
                        }
                        else
                        {
                            echoing.Add(data);
                        }
                    }
                    break;
                case SpdyFrameType.Data when echoing.Contains(frame.StreamId):
                    if (frame.Payload.Length > 0) await writer.WriteDataAsync(frame.StreamId, frame.Payload, fin: false, _stop.Token);
                    if (frame.Fin)
                    {
                        var errorOfData = byRequest.Values.Single(p => p.Data == frame.StreamId).Error!.Value;
                        await writer.WriteDataAsync(errorOfData, ReadOnlyMemory<byte>.Empty, fin: true, _stop.Token);
                        await writer.WriteDataAsync(frame.StreamId, ReadOnlyMemory<byte>.Empty, fin: true, _stop.Token);
                        echoing.Remove(frame.StreamId);
                    }
                    break;
                case SpdyFrameType.GoAway:
                    GoneAway = true;
                    return;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try { await _serving; } catch (Exception e) when (e is OperationCanceledException or IOException or SpdyProtocolException) { }
        _listener.Stop();
        _stop.Dispose();
    }

    /// <summary>
    /// Inflates the header blocks of one direction of a SPDY connection: one zlib stream across every block, each
    /// ending in a sync flush. Works for <see cref="SpdyFrameWriter"/>'s blocks, which use no preset dictionary.
    /// </summary>
    private sealed class HeaderBlockReader : IAsyncDisposable
    {
        private readonly Pipe _pipe = new();
        private readonly ZLibStream _inflater;

        public HeaderBlockReader() => _inflater = new ZLibStream(_pipe.Reader.AsStream(), CompressionMode.Decompress);

        public async Task<Dictionary<string, string>> ReadAsync(ReadOnlyMemory<byte> compressed, CancellationToken ct)
        {
            await _pipe.Writer.WriteAsync(compressed, ct);
            var headers = new Dictionary<string, string>();
            var count = await ReadUInt32Async(ct);
            for (var i = 0; i < count; i++)
            {
                var name = await ReadStringAsync(ct);
                headers[name] = await ReadStringAsync(ct);
            }
            return headers;
        }

        private async Task<uint> ReadUInt32Async(CancellationToken ct)
        {
            var bytes = new byte[4];
            await _inflater.ReadExactlyAsync(bytes, ct);
            return BinaryPrimitives.ReadUInt32BigEndian(bytes);
        }

        private async Task<string> ReadStringAsync(CancellationToken ct)
        {
            var bytes = new byte[await ReadUInt32Async(ct)];
            await _inflater.ReadExactlyAsync(bytes, ct);
            return Encoding.UTF8.GetString(bytes);
        }

        public async ValueTask DisposeAsync()
        {
            await _pipe.Writer.CompleteAsync();
            await _inflater.DisposeAsync();
        }
    }
}
