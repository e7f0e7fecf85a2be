using System.Net;
using System.Net.Sockets;
using System.Text;
using Navarch.Proxy.ChangeTracking;
using Navarch.Proxy.Iptables;
using Navarch.Proxy.Tests.ChangeTracking;
using Navarch.Proxy.Userspace;

namespace Navarch.Proxy.Tests.Userspace;

/// <summary>
/// The userspace mode over <see cref="FakeIptables"/>: the relays it opens (real listeners, reached only on 127.0.0.1)
/// and the rules it restores and ensures. Backends are loopback listeners; nothing dials outside 127.0.0.0/8.
/// </summary>
[Trait("Category", "Integration")]
public sealed class UserspaceProxierTests : IAsyncLifetime
{
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    private readonly FakeIptables _iptables = new();
    private readonly RecordingLogger _log = new();
    private readonly List<IAsyncDisposable> _cleanup = [];
    private readonly UserspaceProxier _proxier;

    public UserspaceProxierTests()
    {
        _proxier = new UserspaceProxier(_iptables, SeedCluster.Node201, _log);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _proxier.DisposeAsync();
        foreach (var item in Enumerable.Reverse(_cleanup)) await item.DisposeAsync();
    }

    [Fact]
    public async Task A_sync_opens_a_relay_per_tcp_port_restores_rules_naming_them_and_ensures_the_jumps()
    {
        var ports = SeedPorts();

        await _proxier.SyncAsync(ports, None);

        var proxyPorts = _proxier.ProxyPorts;
        Assert.Equal(["default/nginx-service-clusterip:/TCP", "default/nginx-service-nodeport:/TCP"], proxyPorts.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(2, proxyPorts.Values.Distinct().Count());
        Assert.All(proxyPorts.Values, port => Assert.InRange(port, 1, 65535));

        var expected = PortalRules.Render([.. ports.Select(p => (p, proxyPorts[$"{p.Name}/{p.Protocol}"]))], SeedCluster.Node201);
        Assert.Equal(expected, _iptables.Restores[^1]);
        Assert.All(proxyPorts.Values, port => Assert.Contains($"--to-ports {port}\n", expected));
        Assert.Equal(PortalRules.Jumps.Count, _iptables.Ensures.Count);
        Assert.All(PortalRules.Jumps.Zip(_iptables.Ensures), pair => Assert.True(pair.Second.Is(pair.First) && pair.Second.Prepend == pair.First.Prepend));
        Assert.All(PortalRules.Chains, chain => Assert.True(_iptables.HasChain("nat", chain), chain));
        foreach (var port in proxyPorts.Values) await AcceptsAsync(port);
    }

    [Fact]
    public async Task The_first_sync_removes_the_iptables_modes_leftovers_and_later_syncs_do_not_look_again()
    {
        await _iptables.RestoreAsync(IptablesRules.Render(SeedCluster.Ports(), SeedCluster.Node201), None);
        await ProxyCleanup.EnsureJumpsAsync(_iptables, IptablesRules.Jumps, None);
        var before = _iptables.Calls.Count;

        await _proxier.SyncAsync(SeedPorts(), None);

        var first = _iptables.Calls.Skip(before).ToList();
        Assert.Equal(IptablesRules.Jumps.Count, first.Count(c => c.Verb == IptablesVerb.Delete));
        Assert.Contains(first, c => c.Verb == IptablesVerb.Restore && c.Text!.Contains("-X KUBE-SERVICES\n"));
        Assert.All(new[] { "nat", "filter" }, table => Assert.DoesNotContain(_iptables.Chains(table),
            c => c.StartsWith("KUBE-", StringComparison.Ordinal) && !PortalRules.Chains.Contains(c)));
        Assert.Empty(_iptables.Rules("filter", "FORWARD"));

        before = _iptables.Calls.Count;
        await _proxier.SyncAsync(SeedPorts(), None);
        var second = _iptables.Calls.Skip(before).ToList();
        Assert.Equal([IptablesVerb.Restore, .. PortalRules.Jumps.Select(_ => IptablesVerb.Ensure)], second.Select(c => c.Verb));
    }

    [Fact]
    public async Task A_removed_service_port_loses_its_rules_and_its_relay()
    {
        var ports = SeedPorts();
        await _proxier.SyncAsync(ports, None);
        var before = _proxier.ProxyPorts;
        var kept = ports.Single(p => p.Service == "nginx-service-nodeport");
        var removedPort = before["default/nginx-service-clusterip:/TCP"];
        await AcceptsAsync(removedPort);

        await _proxier.SyncAsync([kept], None);

        Assert.Equal(["default/nginx-service-nodeport:/TCP"], _proxier.ProxyPorts.Keys);
        Assert.Equal(before["default/nginx-service-nodeport:/TCP"], _proxier.ProxyPorts["default/nginx-service-nodeport:/TCP"]);
        Assert.Equal(PortalRules.Render([(kept, before["default/nginx-service-nodeport:/TCP"])], SeedCluster.Node201), _iptables.Restores[^1]);
        Assert.DoesNotContain("nginx-service-clusterip", string.Join("\n", _iptables.Rules("nat", PortalRules.ContainerPortals)));
        var refused = await Assert.ThrowsAsync<SocketException>(() => ConnectAsync(removedPort));
        Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);
    }

    [Fact]
    public async Task Udp_ports_get_a_relay_and_rules_of_their_own()
    {
        var service = SeedCluster.Service("kube-system", "dns", "192.168.3.10", SeedCluster.ServicePort("dns", 53, "UDP"), SeedCluster.ServicePort("dns-tcp", 53));
        var ports = ServicePortTable.Build([service], []);

        await _proxier.SyncAsync(ports, None);

        Assert.Equal(["kube-system/dns:dns-tcp/TCP", "kube-system/dns:dns/UDP"], _proxier.ProxyPorts.Keys.Order(StringComparer.Ordinal));
        Assert.Contains("kube-system/dns:dns\"", _iptables.Restores[^1]);
        Assert.Contains("-p udp", _iptables.Restores[^1]);
        Assert.Contains("kube-system/dns:dns-tcp\"", _iptables.Restores[^1]);
    }

    [Fact]
    public async Task A_port_keeps_its_relay_when_only_its_endpoints_change_and_then_reaches_the_new_backend()
    {
        var a = Track(Backend.Start(Serve.Greet("A")));
        var b = Track(Backend.Start(Serve.Greet("B")));
        await _proxier.SyncAsync([LoopbackPort(a.EndPoint)], None);
        var proxyPort = Assert.Single(_proxier.ProxyPorts).Value;
        Assert.Equal("A", await GreetingAsync(proxyPort));

        await _proxier.SyncAsync([LoopbackPort(b.EndPoint)], None);

        Assert.Equal(proxyPort, Assert.Single(_proxier.ProxyPorts).Value);
        Assert.Equal("B", await GreetingAsync(proxyPort));
        Assert.Equal(2, _iptables.Restores.Count(r => r.StartsWith("*nat\n:KUBE-PORTALS-CONTAINER", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_client_on_loopback_reaches_the_backend_through_the_proxy_port()
    {
        var backend = Track(Backend.Start(Serve.Greet("hello from the pod")));

        await _proxier.SyncAsync([LoopbackPort(backend.EndPoint)], None);

        var proxyPort = Assert.Single(_proxier.ProxyPorts).Value;
        Assert.Equal("hello from the pod", await GreetingAsync(proxyPort));
    }

    [Fact]
    public async Task Disposing_the_proxier_closes_every_relay()
    {
        await _proxier.SyncAsync(SeedPorts(), None);
        var proxyPorts = _proxier.ProxyPorts.Values.ToList();

        await _proxier.DisposeAsync();

        Assert.Empty(_proxier.ProxyPorts);
        foreach (var port in proxyPorts)
            Assert.Equal(SocketError.ConnectionRefused, (await Assert.ThrowsAsync<SocketException>(() => ConnectAsync(port))).SocketErrorCode);
    }

    /// <summary>
    /// The seed's two service ports without their endpoints: those are pod addresses (172.16.x.x) that a relay would
    /// dial from the root namespace when a test connects to it. Without endpoints the relay resets the client instead.
    /// </summary>
    private static IReadOnlyList<ServicePort> SeedPorts() => [.. SeedCluster.Ports().Select(p => p with { Endpoints = [] })];

    /// <summary>A service port whose one ready endpoint is <paramref name="backend"/> (a listener on 127.0.0.1).</summary>
    private static ServicePort LoopbackPort(IPEndPoint backend) => new(
        "default", "echo", "", "TCP", IPAddress.Parse("192.168.3.50"), 80, 0, ClientIpAffinity: false, AffinitySeconds: 10800,
        ExternalTrafficLocal: false, [new ServiceEndpoint(backend.Address, backend.Port, Ready: true, Serving: true, Terminating: false, NodeName: "192.168.0.201")]);

    private T Track<T>(T item) where T : IAsyncDisposable
    {
        _cleanup.Add(item);
        return item;
    }

    private static async Task<Socket> ConnectAsync(int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port)).WaitAsync(Bound);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Checks that a relay listens on <paramref name="port"/>. A relay without endpoints resets each connection it
    /// accepts, and that reset may beat the connect's completion, so a reset counts as accepted; a refusal does not.
    /// </summary>
    private static async Task AcceptsAsync(int port)
    {
        try
        {
            using var socket = await ConnectAsync(port);
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
        {
        }
    }

    /// <summary>Connects to the proxy port and reads the backend's first line.</summary>
    private static async Task<string> GreetingAsync(int port)
    {
        using var socket = await ConnectAsync(port);
        using var reader = new StreamReader(new NetworkStream(socket, ownsSocket: false), Encoding.ASCII);
        var line = await reader.ReadLineAsync().WaitAsync(Bound);
        return line ?? "(the connection ended without a line)";
    }
}
