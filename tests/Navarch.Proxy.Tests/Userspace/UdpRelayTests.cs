using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using Navarch.Proxy.Userspace;

namespace Navarch.Proxy.Tests.Userspace;

/// <summary>The userspace mode's UDP relay over loopback: datagrams to the endpoint and replies back from the proxy port.</summary>
[Trait("Category", "Integration")]
public sealed class UdpRelayTests : IAsyncDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);
    private readonly List<IAsyncDisposable> _owned = [];

    [Fact]
    public async Task Datagrams_reach_the_endpoint_and_replies_come_back_from_the_proxy_port()
    {
        using var backend = EchoBackend(out var endpoint);
        var (relay, _) = Start([endpoint]);
        using var client = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));

        await client.SendAsync(Encoding.ASCII.GetBytes("ping"), new IPEndPoint(IPAddress.Loopback, relay.Port));
        var reply = await client.ReceiveAsync(new CancellationTokenSource(Wait).Token);

        Assert.Equal("echo:ping", Encoding.ASCII.GetString(reply.Buffer));
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, relay.Port), reply.RemoteEndPoint);
        Assert.Equal(1, relay.OpenSessions);
    }

    [Fact]
    public async Task Each_client_gets_its_own_session_and_idle_ones_close()
    {
        using var backend = EchoBackend(out var endpoint);
        var time = new FakeTimeProvider();
        var (relay, _) = Start([endpoint], time);
        using var a = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        using var b = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        foreach (var (client, text) in new[] { (a, "a"), (b, "b") })
        {
            await client.SendAsync(Encoding.ASCII.GetBytes(text), new IPEndPoint(IPAddress.Loopback, relay.Port));
            Assert.Equal("echo:" + text, Encoding.ASCII.GetString((await client.ReceiveAsync(new CancellationTokenSource(Wait).Token)).Buffer));
        }
        Assert.Equal(2, relay.OpenSessions);

        time.Advance(UdpRelay.IdleTimeout * 2);

        Assert.Equal(0, relay.OpenSessions);
    }

    [Fact]
    public async Task Without_endpoints_datagrams_are_dropped_and_the_relay_serves_once_one_comes()
    {
        var (relay, picker) = Start([]);
        using var client = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        await client.SendAsync(Encoding.ASCII.GetBytes("early"), new IPEndPoint(IPAddress.Loopback, relay.Port));

        using var backend = EchoBackend(out var endpoint);
        picker.Update([endpoint]);
        await client.SendAsync(Encoding.ASCII.GetBytes("late"), new IPEndPoint(IPAddress.Loopback, relay.Port));
        // "early" may still be on its way when the endpoint appears; "late" must come back.
        using var deadline = new CancellationTokenSource(Wait);
        string reply;
        do reply = Encoding.ASCII.GetString((await client.ReceiveAsync(deadline.Token)).Buffer);
        while (reply == "echo:early");
        Assert.Equal("echo:late", reply);
    }

    private (UdpRelay, EndpointPicker) Start(IReadOnlyList<IPEndPoint> endpoints, TimeProvider? time = null)
    {
        var picker = new EndpointPicker(EndpointPickerTests.Port(), time);
        picker.Update(endpoints);
        var relay = UdpRelay.Start(IPAddress.Loopback, 0, picker, time: time);
        _owned.Add(relay);
        return (relay, picker);
    }

    // A UDP server that answers each datagram with "echo:" + its text until disposed.
    private static UdpClient EchoBackend(out IPEndPoint endpoint)
    {
        var server = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        endpoint = (IPEndPoint)server.Client.LocalEndPoint!;
        _ = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    var got = await server.ReceiveAsync();
                    await server.SendAsync(Encoding.ASCII.GetBytes("echo:" + Encoding.ASCII.GetString(got.Buffer)), got.RemoteEndPoint);
                }
            }
            catch (ObjectDisposedException) { }
            catch (SocketException) { }
        });
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var o in _owned) await o.DisposeAsync();
    }
}
