using System.Net;
using System.Net.Sockets;
using System.Text;
using Navarch.Streaming;
using Navarch.Streaming.Spdy;

namespace Navarch.Agent.Tests.Server;

/// <summary>
/// A runtime's streaming server for one exec, played over loopback as upstream's (kubelet streaming, which containerd
/// vendors) behaves: it answers the SPDY/3.1 upgrade with v4, replies to each stream, echoes stdin to stdout, and when
/// stdin ends writes <see cref="Status"/> on the error stream with a FIN, then GOAWAY. What it saw is recorded.
/// </summary>
public sealed class FakeStreamServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly IReadOnlyList<ExecStreamRole> _roles;
    private readonly Task _serving;
    private readonly CancellationTokenSource _stop = new(TimeSpan.FromSeconds(20));

    /// <summary>Serves one connection expecting streams for <paramref name="roles"/>, opened in that order.</summary>
    public FakeStreamServer(IReadOnlyList<ExecStreamRole> roles, string? refuseWith = null)
    {
        _roles = roles;
        _listener.Start();
        _serving = ServeAsync(refuseWith);
    }

    /// <summary>Where the agent connects.</summary>
    public Uri Url => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/exec/Tok3n");

    /// <summary>What the server writes on the error stream when stdin ends.</summary>
    public string Status { get; init; } = """{"metadata":{},"status":"Success"}""";

    /// <summary>The upgrade request's head.</summary>
    public string RequestHead { get; private set; } = "";

    /// <summary>Stream ids of the SYN_STREAMs, in order.</summary>
    public List<uint> Opened { get; } = [];

    /// <summary>Everything that came on the resize stream.</summary>
    public StringBuilder Resizes { get; } = new();

    /// <summary>Whether stdin was half-closed.</summary>
    public bool StdinClosed { get; private set; }

    /// <summary>Waits for the connection to end.</summary>
    public Task Served => _serving;

    /// <summary>An HTTP request head, read a byte at a time so that nothing after it is consumed.</summary>
    internal static async Task<string> ReadHeadAsync(Stream stream, CancellationToken ct)
    {
        var head = new StringBuilder();
        var one = new byte[1];
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal) && await stream.ReadAsync(one, ct) > 0) head.Append((char)one[0]);
        return head.ToString();
    }

    private uint Id(ExecStreamRole role) => (uint)(2 * _roles.ToList().IndexOf(role) + 1);

    private async Task ServeAsync(string? refuseWith)
    {
        using var socket = await _listener.AcceptSocketAsync(_stop.Token);
        await using var stream = new NetworkStream(socket);
        RequestHead = await ReadHeadAsync(stream, _stop.Token);
        if (refuseWith is not null)
        {
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 404 Not Found\r\nContent-Length: {refuseWith.Length}\r\n\r\n{refuseWith}"), _stop.Token);
            return;
        }
        await stream.WriteAsync("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: v4.channel.k8s.io\r\n\r\n"u8.ToArray(), _stop.Token);

        var reader = new SpdyFrameReader(stream);
        await using var writer = new SpdyFrameWriter(stream);
        while (await reader.ReadAsync(_stop.Token) is { } frame)
        {
            if (frame.Type == SpdyFrameType.SynStream)
            {
                Opened.Add(frame.StreamId);
                await writer.WriteSynReplyAsync(frame.StreamId, [], fin: false, _stop.Token);
            }
            else if (frame.Type == SpdyFrameType.Data && frame.StreamId == Id(ExecStreamRole.Resize))
            {
                Resizes.Append(Encoding.UTF8.GetString(frame.Payload));
            }
            else if (frame.Type == SpdyFrameType.Data && frame.StreamId == Id(ExecStreamRole.Stdin))
            {
                if (frame.Payload.Length > 0) await writer.WriteDataAsync(Id(ExecStreamRole.Stdout), frame.Payload, fin: false, _stop.Token);
                if (!frame.Fin) continue;
                StdinClosed = true;
                await writer.WriteDataAsync(Id(ExecStreamRole.Error), Encoding.UTF8.GetBytes(Status), fin: true, _stop.Token);
                await writer.WriteGoAwayAsync(0, 0, _stop.Token);
                return;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try { await _serving; } catch (OperationCanceledException) { }
        _listener.Stop();
        _stop.Dispose();
    }
}

/// <summary>
/// A runtime's port-forward endpoint for one connection: answers the SPDY/3.1 upgrade with the first protocol
/// offered, then echoes every byte (the SPDY session itself runs between the client and it, so bytes are all the
/// agent sees).
/// </summary>
public sealed class EchoUpgradeServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new(TimeSpan.FromSeconds(20));
    private readonly Task _serving;

    public EchoUpgradeServer()
    {
        _listener.Start();
        _serving = ServeAsync();
    }

    public Uri Url => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/portforward/Tok3n");

    /// <summary>The upgrade request's head.</summary>
    public string RequestHead { get; private set; } = "";

    private async Task ServeAsync()
    {
        using var socket = await _listener.AcceptSocketAsync(_stop.Token);
        await using var stream = new NetworkStream(socket);
        RequestHead = await FakeStreamServer.ReadHeadAsync(stream, _stop.Token);
        var protocol = RequestHead.Split("\r\n").First(l => l.StartsWith("X-Stream-Protocol-Version:", StringComparison.Ordinal))[26..].Trim();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: {protocol}\r\n\r\n"), _stop.Token);
        var buffer = new byte[4096];
        int n;
        while ((n = await stream.ReadAsync(buffer, _stop.Token)) > 0) await stream.WriteAsync(buffer.AsMemory(0, n), _stop.Token);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try { await _serving; } catch (Exception e) when (e is OperationCanceledException or IOException) { }
        _listener.Stop();
        _stop.Dispose();
    }
}
