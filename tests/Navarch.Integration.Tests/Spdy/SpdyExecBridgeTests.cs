using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using Navarch.ApiServer.Spdy;
using Navarch.Streaming;
using Navarch.Streaming.Spdy;

namespace Navarch.Integration.Tests.Spdy;

/// <summary>
/// The bridge between a SPDY client (played here frame by frame, as upstream's remotecommand client behaves: one
/// stream at a time, each after the previous one's SYN_REPLY) and a fake agent speaking v4.channel.k8s.io over a real
/// WebSocket, both over loopback sockets.
/// </summary>
public sealed class SpdyExecBridgeTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);
    private const string Failure = """{"metadata":{},"status":"Failure","message":"command terminated with non-zero exit code: exit code 3","reason":"NonZeroExitCode","details":{"causes":[{"reason":"ExitCode","message":"3"}]}}""";

    [Fact]
    public void Streams_are_expected_in_remotecommands_creation_order()
    {
        Assert.Equal([ExecStreamRole.Error, ExecStreamRole.Stdout, ExecStreamRole.Stderr], ExecStreams.Expected(RemoteCommand.V4, false, true, true, false));
        Assert.Equal([ExecStreamRole.Error, ExecStreamRole.Stdin, ExecStreamRole.Stdout, ExecStreamRole.Resize], ExecStreams.Expected(RemoteCommand.V4, true, true, true, true));
        Assert.Equal([ExecStreamRole.Error, ExecStreamRole.Stdin, ExecStreamRole.Stdout], ExecStreams.Expected("v2.channel.k8s.io", true, true, true, true));
    }

    [Fact]
    public void The_best_offered_protocol_is_chosen()
    {
        Assert.Equal(RemoteCommand.V4, SpdyExecBridge.ChooseProtocol(new(["v5.channel.k8s.io", "v4.channel.k8s.io", "v3.channel.k8s.io", "v2.channel.k8s.io", "channel.k8s.io"])));
        Assert.Equal("v3.channel.k8s.io", SpdyExecBridge.ChooseProtocol(new(["v2.channel.k8s.io, v3.channel.k8s.io"])));
        Assert.Equal("channel.k8s.io", SpdyExecBridge.ChooseProtocol(new(["channel.k8s.io"])));
        Assert.Null(SpdyExecBridge.ChooseProtocol(new(["v5.channel.k8s.io"])));
    }

    [Fact]
    public async Task V4_gets_output_on_its_streams_then_the_status_then_fins_and_goaway()
    {
        var frames = await ExecAsync(RemoteCommand.V4, agentSends: [[1, .. "hi\n"u8], [2, .. "warn\n"u8], [3, .. Encoding.UTF8.GetBytes(Failure)]]);
        // Streams 1 (error), 3 (stdout), 5 (stderr): upstream's order for stdout=true&stderr=true.
        Assert.Equal("hi\n", Text(frames, 3));
        Assert.Equal("warn\n", Text(frames, 5));
        Assert.Equal(Failure, Text(frames, 1));
    }

    [Fact]
    public async Task Older_versions_get_the_failure_message_only()
    {
        var failed = await ExecAsync("v2.channel.k8s.io", agentSends: [[3, .. Encoding.UTF8.GetBytes(Failure)]]);
        Assert.Equal("command terminated with non-zero exit code: exit code 3", Text(failed, 1));
        var succeeded = await ExecAsync("v3.channel.k8s.io", agentSends: [[1, .. "ok"u8], [3, .. """{"metadata":{},"status":"Success"}"""u8]]);
        Assert.Equal("ok", Text(succeeded, 3));
        Assert.Equal("", Text(succeeded, 1));
    }

    [Fact]
    public async Task Stdin_and_resizes_reach_the_agent_and_the_end_of_stdin_is_a_v5_close()
    {
        var (client, server) = await SocketPairAsync();
        var (agentClient, agentServer) = await SocketPairAsync();
        using var agent = WebSocket.CreateFromStream(agentClient, isServer: false, RemoteCommand.V5, Timeout.InfiniteTimeSpan);
        using var fakeAgent = WebSocket.CreateFromStream(agentServer, isServer: true, RemoteCommand.V5, Timeout.InfiniteTimeSpan);
        var streams = ExecStreams.Expected(RemoteCommand.V4, stdin: true, stdout: true, stderr: true, tty: true);
        var bridge = new SpdyExecBridge(server, agent, RemoteCommand.V4, streams).RunAsync(default);

        var reader = new SpdyFrameReader(client);
        var frames = new List<SpdyFrame>();
        foreach (var id in new uint[] { 1, 3, 5, 7 })
        {
            await client.WriteAsync(SynStream(id));
            Assert.Equal((SpdyFrameType.SynReply, id), ((await NextAsync(reader, frames)).Type, id));
        }
        await client.WriteAsync(DataFrame(7, """{"Width":80,"Height":24}"""u8.ToArray(), fin: false));
        await client.WriteAsync(DataFrame(3, "ls\r"u8.ToArray(), fin: false));
        await client.WriteAsync(DataFrame(3, [], fin: true));

        var received = new List<byte[]>();
        var buffer = new byte[256];
        while (received.Count < 3)
        {
            var r = await fakeAgent.ReceiveAsync(buffer, default).WaitAsync(Bound);
            received.Add(buffer[..r.Count]);
        }
        Assert.Equal([RemoteCommand.ResizeChannel, .. """{"Width":80,"Height":24}"""u8], received[0]);
        Assert.Equal([RemoteCommand.StdinChannel, .. "ls\r"u8], received[1]);
        Assert.Equal([RemoteCommand.CloseChannel, RemoteCommand.StdinChannel], received[2]);

        await fakeAgent.SendAsync((byte[])[RemoteCommand.ErrorChannel, .. """{"metadata":{},"status":"Success"}"""u8], WebSocketMessageType.Binary, true, default);
        await fakeAgent.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, default);
        while ((await NextAsync(reader, frames)).Type != SpdyFrameType.GoAway) { }
        await client.WriteAsync(Convert.FromHexString("8003000700000008" + "00000000" + "00000000"));
        await bridge.WaitAsync(Bound);
        Assert.Equal("""{"metadata":{},"status":"Success"}""", Text(frames, 1));
        await client.DisposeAsync();
    }

    [Fact]
    public async Task A_client_that_sends_garbage_ends_the_bridge_without_an_exception()
    {
        var (client, server) = await SocketPairAsync();
        var (agentClient, agentServer) = await SocketPairAsync();
        using var agent = WebSocket.CreateFromStream(agentClient, isServer: false, RemoteCommand.V4, Timeout.InfiniteTimeSpan);
        var bridge = new SpdyExecBridge(server, agent, RemoteCommand.V4, ExecStreams.Expected(RemoteCommand.V4, false, true, true, false)).RunAsync(default);
        await client.WriteAsync(Convert.FromHexString("8002000100000000")); // SPDY/2
        await bridge.WaitAsync(Bound);
        await client.DisposeAsync();
        await agentServer.DisposeAsync();
    }

    /// <summary>Runs one exec through the bridge; returns every frame the client received, through the server's GOAWAY.</summary>
    private static async Task<List<SpdyFrame>> ExecAsync(string protocol, byte[][] agentSends)
    {
        var (client, server) = await SocketPairAsync();
        var (agentClient, agentServer) = await SocketPairAsync();
        using var agent = WebSocket.CreateFromStream(agentClient, isServer: false, RemoteCommand.V4, Timeout.InfiniteTimeSpan);
        using var fakeAgent = WebSocket.CreateFromStream(agentServer, isServer: true, RemoteCommand.V4, Timeout.InfiniteTimeSpan);
        var bridge = new SpdyExecBridge(server, agent, protocol, ExecStreams.Expected(protocol, false, true, true, false)).RunAsync(default);

        var agentDone = Task.Run(async () =>
        {
            foreach (var message in agentSends) await fakeAgent.SendAsync(message, WebSocketMessageType.Binary, true, default);
            await fakeAgent.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, default);
            var buffer = new byte[64];
            while ((await fakeAgent.ReceiveAsync(buffer, default)).MessageType != WebSocketMessageType.Close) { }
        });

        var reader = new SpdyFrameReader(client);
        var frames = new List<SpdyFrame>();
        // Before any stream exists the bridge sends nothing of its own, so the first frame back is the PING's echo
        // (once the streams exist, the output, FINs and GOAWAY may all come before it).
        await client.WriteAsync(Convert.FromHexString("8003000600000004" + "00000001")); // PING 1
        var pong = await NextAsync(reader, frames);
        Assert.Equal((SpdyFrameType.Ping, 1u), (pong.Type, pong.StreamId));
        foreach (var id in new uint[] { 1, 3, 5 })
        {
            await client.WriteAsync(SynStream(id));
            var reply = await NextAsync(reader, frames);
            Assert.Equal((SpdyFrameType.SynReply, id), (reply.Type, reply.StreamId));
        }
        while ((await NextAsync(reader, frames)).Type != SpdyFrameType.GoAway) { }
        await client.WriteAsync(Convert.FromHexString("8003000700000008" + "00000000" + "00000000")); // the client's GOAWAY
        await bridge.WaitAsync(Bound);
        await agentDone.WaitAsync(Bound);

        foreach (var id in new uint[] { 1, 3, 5 })
        {
            var onStream = frames.Where(f => f.Type == SpdyFrameType.Data && f.StreamId == id).ToList();
            Assert.True(onStream[^1] is { Fin: true, Payload.Length: 0 }, $"stream {id} ends with an empty FIN");
            Assert.Single(onStream, f => f.Fin);
        }
        Assert.Equal(5u, frames[^1].StreamId); // GOAWAY names the last stream the server accepted
        await client.DisposeAsync();
        return frames;
    }

    private static async Task<SpdyFrame> NextAsync(SpdyFrameReader reader, List<SpdyFrame> frames)
    {
        var frame = await reader.ReadAsync(default).WaitAsync(Bound) ?? throw new InvalidOperationException("the bridge closed the connection early");
        frames.Add(frame);
        return frame;
    }

    private static string Text(List<SpdyFrame> frames, uint streamId) =>
        Encoding.UTF8.GetString(frames.Where(f => f.Type == SpdyFrameType.Data && f.StreamId == streamId).SelectMany(f => f.Payload).ToArray());

    private static byte[] SynStream(uint id)
    {
        // Version 3, SYN_STREAM, length 10 + a 4-byte stand-in for the client's compressed header block.
        var frame = Convert.FromHexString("80030001" + "0000000E" + "00000000" + "00000000" + "0000" + "DEADBEEF");
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(8), id);
        return frame;
    }

    private static byte[] DataFrame(uint id, byte[] data, bool fin)
    {
        var frame = new byte[8 + data.Length];
        BinaryPrimitives.WriteUInt32BigEndian(frame, id);
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(4), (fin ? 1u : 0u) << 24 | (uint)data.Length);
        data.CopyTo(frame, 8);
        return frame;
    }

    private static async Task<(NetworkStream Client, NetworkStream Server)> SocketPairAsync()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var connecting = new TcpClient();
        var connect = connecting.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port);
        var accepted = await listener.AcceptSocketAsync().WaitAsync(Bound);
        await connect.WaitAsync(Bound);
        return (connecting.GetStream(), new NetworkStream(accepted, ownsSocket: true));
    }
}
