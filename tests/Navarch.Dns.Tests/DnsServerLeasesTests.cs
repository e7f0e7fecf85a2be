using System.Net;
using k8s;
using Microsoft.Extensions.Time.Testing;
using Navarch.Dns.Hosting;
using Navarch.Testing;

namespace Navarch.Dns.Tests;

/// <summary>
/// Cluster DNS beside several API servers: kube-dns's endpoints list every DNS server whose lease is live, drop one that
/// stops at once and one that was killed when its lease expires. Against a real server without a DNS server of its own
/// (which would rewrite kube-dns's endpoints); the servers' addresses are only published, never dialled.
/// </summary>
[Trait("Category", "Integration")]
public sealed class DnsServerLeasesTests : IAsyncLifetime
{
    private static readonly IPAddress KubeDnsIp = IPAddress.Parse("10.96.0.10");
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private ServerProcess _server = null!;
    private IKubernetes _client = null!;

    public async Task InitializeAsync()
    {
        _server = await ServerProcess.StartAsync("--disable-controller-manager", "--disable-scheduler");
        _client = new Kubernetes(new KubernetesClientConfiguration { Host = _server.Url });
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Kube_dns_lists_the_live_servers_and_drops_stopped_and_expired_ones()
    {
        var first = Leases("10.0.0.1");
        var second = Leases("10.0.0.2");

        Assert.Equal(["10.0.0.1"], Strings(await first.RenewAsync(default)));
        var both = await second.RenewAsync(default);
        Assert.Equal(["10.0.0.1", "10.0.0.2"], Strings(both));
        await KubeDnsService.EnsureAsync(_client, KubeDnsIp, both, 53, default);
        Assert.Equal(["10.0.0.1", "10.0.0.2"], await PublishedAsync());

        // A server that stops leaves at once.
        var left = await first.ReleaseAsync(default);
        Assert.Equal(["10.0.0.2"], Strings(left));
        await KubeDnsService.EnsureAsync(_client, KubeDnsIp, left, 53, default);
        Assert.Equal(["10.0.0.2"], await PublishedAsync());

        // One that is killed (renews no more) drops out once its lease expires, and its lease is deleted.
        await first.RenewAsync(default);
        _time.Advance(TimeSpan.FromSeconds(16));
        var live = await first.RenewAsync(default);
        Assert.Equal(["10.0.0.1"], Strings(live));
        await KubeDnsService.EnsureAsync(_client, KubeDnsIp, live, 53, default);
        Assert.Equal(["10.0.0.1"], await PublishedAsync());
        var leases = await _client.CoordinationV1.ListNamespacedLeaseAsync(KubeDnsService.Namespace, labelSelector: DnsServerLeases.Label);
        Assert.Equal([first.LeaseName], leases.Items.Select(l => l.Metadata.Name));
        Assert.Equal("10.96.0.10", (await _client.CoreV1.ReadNamespacedServiceAsync(KubeDnsService.Name, KubeDnsService.Namespace)).Spec.ClusterIP);
    }

    private DnsServerLeases Leases(string ip) => new(_client, new IPEndPoint(IPAddress.Parse(ip), 53), TimeSpan.FromSeconds(15), _time);

    private static string[] Strings(IEnumerable<IPAddress> addresses) => addresses.Select(a => a.ToString()).ToArray();

    // The Endpoints and the EndpointSlice must agree.
    private async Task<string[]> PublishedAsync()
    {
        var endpoints = await _client.CoreV1.ReadNamespacedEndpointsAsync(KubeDnsService.Name, KubeDnsService.Namespace);
        var slice = await _client.DiscoveryV1.ReadNamespacedEndpointSliceAsync(KubeDnsService.Name, KubeDnsService.Namespace);
        var fromEndpoints = (endpoints.Subsets ?? []).SelectMany(s => s.Addresses ?? []).Select(a => a.Ip).ToArray();
        var fromSlice = slice.Endpoints.SelectMany(e => e.Addresses).ToArray();
        Assert.Equal(fromEndpoints, fromSlice);
        return fromEndpoints;
    }
}
