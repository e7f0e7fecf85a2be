using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using Navarch.ApiServer.Spdy;
using Navarch.Streaming.Spdy;

namespace Navarch.Agent.Tests.Server;

/// <summary>
/// The channel protocol of WebSocket port forwarding (upstream's portforward/websocket.go) in front of a runtime's
/// SPDY port-forward server: two channels per port, each opened with the port, errors on the odd one.
/// </summary>
[Trait("Category", "Unit")]
public sealed class PortForwardWebSocketBridgeTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Each_port_gets_a_data_and_an_error_channel_opened_with_the_port_and_its_own_SPDY_streams()
    {
        await using var runtime = new FakePortForwardServer();
        var (client, bridged) = await WebSocketPairAsync(PortForwardWebSocketBridge.BinaryProtocol);
        var run = await StartBridgeAsync(runtime, bridged, [80, FakePortForwardServer.RefusedPort, 8080]);

        // Upstream writes every port's two opening messages before anything else.
        var opening = new List<byte[]>();
        for (var i = 0; i < 6; i++) opening.Add(await ReceiveAsync(client, "the opening messages"));
        Assert.Equal([[0, 80, 0], [1, 80, 0], [2, 7, 0], [3, 7, 0], [4, 0x90, 0x1f], [5, 0x90, 0x1f]], opening);

        // Port 7 has no listener: the runtime's error comes on channel 3, as text.
        Assert.Equal([3, .. Encoding.UTF8.GetBytes(FakePortForwardServer.RefusedMessage(7))], await ReceiveAsync(client, "port 7's error"));

        // Data goes to the port of its channel and comes back on the same channel.
        await client.SendAsync((byte[])[4, .. "to 8080"u8], WebSocketMessageType.Binary, true, default);
        await client.SendAsync((byte[])[0, .. "to 80"u8], WebSocketMessageType.Binary, true, default);
        var echoes = new[] { await ReceiveAsync(client, "the first echo"), await ReceiveAsync(client, "the second echo") };
        Assert.Equal([[4, .. "to 8080"u8], [0, .. "to 80"u8]], echoes);

        // Closing the WebSocket ends the session: the data streams half-closed, then GOAWAY.
        await client.CloseAsync(WebSocketCloseStatus.NormalClosure, null, default).WaitAsync(Timeout);
        await run.WaitAsync(Timeout);
        await runtime.Served.WaitAsync(Timeout);
        Assert.True(runtime.GoneAway, "the runtime saw no GOAWAY");
        Assert.Equal(
        [
            new OpenedStream(1, "error", "80", "0"), new OpenedStream(3, "data", "80", "0"),
            new OpenedStream(5, "error", "7", "1"), new OpenedStream(7, "data", "7", "1"),
            new OpenedStream(9, "error", "8080", "2"), new OpenedStream(11, "data", "8080", "2"),
        ], runtime.Opened);
    }

    [Fact]
    public async Task The_WebSocket_closes_once_every_port_ended()
    {
        await using var runtime = new FakePortForwardServer();
        var (client, bridged) = await WebSocketPairAsync(PortForwardWebSocketBridge.BinaryProtocol);
        var run = await StartBridgeAsync(runtime, bridged, [FakePortForwardServer.RefusedPort]);

        Assert.Equal([0, 7, 0], await ReceiveAsync(client, "the data channel's opening"));
        Assert.Equal([1, 7, 0], await ReceiveAsync(client, "the error channel's opening"));
        Assert.Equal(1, (await ReceiveAsync(client, "the error"))[0]);
        var close = await client.ReceiveAsync(new byte[16], default).WaitAsync(Timeout);
        Assert.Equal(WebSocketMessageType.Close, close.MessageType);
        Assert.Equal(WebSocketCloseStatus.NormalClosure, close.CloseStatus);
        await client.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, default);
        await run.WaitAsync(Timeout);
    }

    [Fact]
    public async Task Base64_channels_carry_the_channel_as_a_digit_and_the_payload_in_base64()
    {
        await using var runtime = new FakePortForwardServer();
        var (client, bridged) = await WebSocketPairAsync(PortForwardWebSocketBridge.Base64Protocol);
        var run = await StartBridgeAsync(runtime, bridged, [80]);

        Assert.Equal("0UAA=", Encoding.ASCII.GetString(await ReceiveAsync(client, "the data channel's opening", WebSocketMessageType.Text)));
        Assert.Equal("1UAA=", Encoding.ASCII.GetString(await ReceiveAsync(client, "the error channel's opening", WebSocketMessageType.Text)));
        await client.SendAsync(Encoding.ASCII.GetBytes("0" + Convert.ToBase64String("hello"u8)), WebSocketMessageType.Text, true, default);
        Assert.Equal("0" + Convert.ToBase64String("hello"u8), Encoding.ASCII.GetString(await ReceiveAsync(client, "the echo", WebSocketMessageType.Text)));
        await client.CloseAsync(WebSocketCloseStatus.NormalClosure, null, default).WaitAsync(Timeout);
        await run.WaitAsync(Timeout);
    }

    [Fact]
    public async Task A_client_that_breaks_the_protocol_ends_the_session_without_an_exception()
    {
        await using var runtime = new FakePortForwardServer();
        var (client, bridged) = await WebSocketPairAsync(PortForwardWebSocketBridge.Base64Protocol);
        var run = await StartBridgeAsync(runtime, bridged, [80]);
        await ReceiveAsync(client, "the data channel's opening", WebSocketMessageType.Text);
        await ReceiveAsync(client, "the error channel's opening", WebSocketMessageType.Text);

        await client.SendAsync("0 not base64 !"u8.ToArray(), WebSocketMessageType.Text, true, default);
        await run.WaitAsync(Timeout);
        await runtime.Served.WaitAsync(Timeout);
        Assert.True(runtime.GoneAway, "the runtime saw no GOAWAY");
    }

    [Theory]
    [InlineData(new[] { "80", "8080" }, new ushort[] { 80, 8080 })]
    [InlineData(new[] { "80,8080", "9090" }, new ushort[] { 80, 8080, 9090 })]
    public void Ports_come_from_every_ports_parameter(string[] values, ushort[] ports) =>
        Assert.Equal(ports, PortForwardWebSocketBridge.ParsePorts(values));

    [Theory]
    [InlineData(new string[0], "query parameter \"ports\" is required")]
    [InlineData(new[] { "" }, "query parameter \"ports\" cannot be empty")]
    [InlineData(new[] { "http" }, "unable to parse \"http\" as a port")]
    [InlineData(new[] { "70000" }, "unable to parse \"70000\" as a port")]
    [InlineData(new[] { "0" }, "port \"0\" must be > 0")]
    public void Bad_ports_are_refused_as_upstream_words_it(string[] values, string message) =>
        Assert.StartsWith(message, Assert.Throws<FormatException>(() => PortForwardWebSocketBridge.ParsePorts(values)).Message);

    [Theory]
    [InlineData(new string[0], "")]
    [InlineData(new[] { "v5.channel.k8s.io", "v4.channel.k8s.io" }, "v4.channel.k8s.io")]
    [InlineData(new[] { "v4.base64.channel.k8s.io" }, "v4.base64.channel.k8s.io")]
    [InlineData(new[] { "v5.channel.k8s.io" }, null)]
    public void The_first_served_protocol_the_client_offers_is_chosen(string[] offered, string? chosen) =>
        Assert.Equal(chosen, PortForwardWebSocketBridge.ChooseProtocol(offered));

    private static async Task<Task> StartBridgeAsync(FakePortForwardServer runtime, WebSocket bridged, ushort[] ports)
    {
        var connection = await SpdyUpgrade.DialAsync(runtime.Url, ["portforward.k8s.io"], default);
        return Task.Run(async () =>
        {
            await using (connection) await new PortForwardWebSocketBridge(bridged, connection.Stream, ports).RunAsync(default);
        });
    }

    /// <summary>The next whole message, which must be of <paramref name="type"/>; a timeout names <paramref name="what"/> was awaited.</summary>
    internal static async Task<byte[]> ReceiveAsync(WebSocket socket, string what, WebSocketMessageType type = WebSocketMessageType.Binary)
    {
        var message = new MemoryStream();
        var buffer = new byte[4096];
        WebSocketReceiveResult r;
        do
        {
            try
            {
                r = await socket.ReceiveAsync(buffer, default).WaitAsync(Timeout);
            }
            catch (TimeoutException)
            {
                throw new TimeoutException($"no message in {Timeout.TotalSeconds} s while waiting for {what}");
            }
            Assert.True(r.MessageType == type, $"{what}: a {r.MessageType} message, not {type}");
            message.Write(buffer, 0, r.Count);
        } while (!r.EndOfMessage);
        return message.ToArray();
    }

    /// <summary>Two ends of one WebSocket over a loopback TCP connection.</summary>
    private static async Task<(WebSocket Client, WebSocket Server)> WebSocketPairAsync(string protocol)
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            var client = new TcpClient();
            var connect = client.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port);
            var server = await listener.AcceptTcpClientAsync();
            await connect;
            return (WebSocket.CreateFromStream(client.GetStream(), isServer: false, protocol, System.Threading.Timeout.InfiniteTimeSpan),
                WebSocket.CreateFromStream(server.GetStream(), isServer: true, protocol, System.Threading.Timeout.InfiniteTimeSpan));
        }
        finally
        {
            listener.Stop();
        }
    }
}
