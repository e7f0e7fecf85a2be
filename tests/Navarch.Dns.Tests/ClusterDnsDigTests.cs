using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using k8s;
using k8s.Models;
using Navarch.Testing;

namespace Navarch.Dns.Tests;

/// <summary>
/// Every record of the Kubernetes DNS specification, asked with Debian's <c>dig</c> of a real <c>navarch server</c>
/// whose cluster DNS learns Services, EndpointSlices and Pods through the API.
/// </summary>
[Trait("Category", "Integration")]
public sealed class ClusterDnsDigTests(DnsServerFixture fx) : IClassFixture<DnsServerFixture>
{
    private const string Zone = "cluster.local";
    private static readonly TimeSpan Propagation = TimeSpan.FromSeconds(5);

    private IKubernetes Client => fx.Client;
    private Task<DigResult> DigAsync(string name, string type = "A", params string[] extra) => Dig.QueryAsync(fx.DnsPort, name, type, extra);

    [Fact]
    public async Task DnsVersionIsTheSchemaVersion()
    {
        var r = await DigAsync($"dns-version.{Zone}", "TXT");
        Assert.Equal("NOERROR", r.Status);
        Assert.Equal(["\"1.1.0\""], r.Data("TXT"));
        Assert.Contains("aa", r.Flags);
    }

    [Fact]
    public async Task ClusterIpServiceHasARecordSrvForNamedPortsAndPtr()
    {
        var svc = await CreateServiceAsync("web", ports: [("http", 80, "TCP"), ("dns", 53, "UDP")]);
        var ip = svc.Spec.ClusterIP;
        var name = $"web.default.svc.{Zone}";
        var a = await UntilAnsweredAsync(name, "A");
        Assert.Equal([ip], a.Data("A"));
        Assert.Contains($"{name}. 5 IN A {ip}", a.Answer);

        var srv = await DigAsync($"_http._tcp.{name}", "SRV");
        Assert.Equal([$"0 100 80 {name}."], srv.Data("SRV"));
        Assert.Contains($"{name}. 5 IN A {ip}", srv.Additional);
        Assert.Equal([$"0 100 53 {name}."], (await DigAsync($"_dns._udp.{name}", "SRV")).Data("SRV"));
        // _tcp exists as an empty non-terminal; an unnamed port has no SRV record.
        Assert.Equal("NOERROR", (await DigAsync($"_tcp.{name}", "SRV")).Status);
        Assert.Equal("NXDOMAIN", (await DigAsync($"_ftp._tcp.{name}", "SRV")).Status);
        await CreateServiceAsync("unnamed", ports: [("", 81, "TCP")]);
        await UntilAnsweredAsync($"unnamed.default.svc.{Zone}", "A");
        Assert.Equal("NXDOMAIN", (await DigAsync($"_tcp.unnamed.default.svc.{Zone}", "SRV")).Status);

        var ptr = await DigAsync(ReverseName(ip), "PTR");
        Assert.Equal([$"{name}."], ptr.Data("PTR"));
        // Case-insensitive (spec 2.1).
        Assert.Equal([ip], (await DigAsync($"WEB.Default.SVC.{Zone.ToUpperInvariant()}")).Data("A"));
    }

    [Fact]
    public async Task NodataAndNxdomainCarryTheSoa()
    {
        await CreateServiceAsync("soa-check", ports: [("http", 80, "TCP")]);
        var name = $"soa-check.default.svc.{Zone}";
        await UntilAnsweredAsync(name, "A");

        var nodata = await DigAsync(name, "AAAA");
        Assert.Equal("NOERROR", nodata.Status);
        Assert.Empty(nodata.Answer);
        var soa = Assert.Single(nodata.Authority);
        Assert.Matches(@$"^{Zone}\. 5 IN SOA ns\.dns\.{Zone}\. hostmaster\.{Zone}\. \d+ 7200 1800 86400 5$", soa);

        var nx = await DigAsync($"missing.default.svc.{Zone}");
        Assert.Equal("NXDOMAIN", nx.Status);
        Assert.Contains(nx.Authority, l => l.Contains("SOA", StringComparison.Ordinal));
        Assert.Equal("NOERROR", (await DigAsync($"default.svc.{Zone}")).Status);
        Assert.Equal("NXDOMAIN", (await DigAsync($"no-such-namespace.svc.{Zone}")).Status);
        Assert.Equal("NXDOMAIN", (await DigAsync($"x.y.z.{Zone}")).Status);
        var apex = await DigAsync(Zone, "SOA");
        Assert.Equal("NOERROR", apex.Status);
        Assert.Single(apex.Data("SOA"));
        Assert.Equal([$"ns.dns.{Zone}."], (await DigAsync(Zone, "NS")).Data("NS"));
    }

    [Fact]
    public async Task HeadlessServiceAnswersReadyEndpointsHostnamesSrvAndPtr()
    {
        await CreateServiceAsync("db", headless: true, ports: [("pg", 5432, "TCP")]);
        await CreateSliceAsync("db", "db-1", [("10.250.0.1", "db-0", true), ("10.250.0.2", null, true), ("10.250.0.3", null, false)], ("pg", 5432));
        var name = $"db.default.svc.{Zone}";
        var a = await UntilAsync(name, "A", r => r.Data("A").Count == 2);
        Assert.Equal(["10.250.0.1", "10.250.0.2"], a.Data("A").Order());

        Assert.Equal(["10.250.0.1"], (await DigAsync($"db-0.{name}")).Data("A"));
        Assert.Equal(["10.250.0.2"], (await DigAsync($"10-250-0-2.{name}")).Data("A"));
        Assert.Equal("NXDOMAIN", (await DigAsync($"10-250-0-3.{name}")).Status);

        var srv = await DigAsync($"_pg._tcp.{name}", "SRV");
        Assert.Equal([$"0 50 5432 10-250-0-2.{name}.", $"0 50 5432 db-0.{name}."], srv.Data("SRV").Order());
        Assert.True(2 == srv.Additional.Count(l => l.Contains(" IN A ", StringComparison.Ordinal)), srv.Output);

        Assert.Equal([$"db-0.{name}."], (await DigAsync(ReverseName("10.250.0.1"), "PTR")).Data("PTR"));
        Assert.Equal([$"10-250-0-2.{name}."], (await DigAsync(ReverseName("10.250.0.2"), "PTR")).Data("PTR"));
    }

    [Fact]
    public async Task AnEndpointThatTurnsNotReadyLeavesTheHeadlessAnswer()
    {
        await CreateServiceAsync("cache", headless: true, ports: [("redis", 6379, "TCP")]);
        await CreateSliceAsync("cache", "cache-1", [("10.251.0.1", null, true), ("10.251.0.2", null, true)], ("redis", 6379));
        var name = $"cache.default.svc.{Zone}";
        await UntilAsync(name, "A", r => r.Data("A").Count == 2);

        var slice = await Client.DiscoveryV1.ReadNamespacedEndpointSliceAsync("cache-1", "default");
        slice.Endpoints[1].Conditions.Ready = false;
        await Client.DiscoveryV1.ReplaceNamespacedEndpointSliceAsync(slice, "cache-1", "default");
        var after = await UntilAsync(name, "A", r => r.Data("A").Count == 1);
        Assert.Equal(["10.251.0.1"], after.Data("A"));

        // No ready endpoint at all: NXDOMAIN (spec 2.4.1).
        slice = await Client.DiscoveryV1.ReadNamespacedEndpointSliceAsync("cache-1", "default");
        slice.Endpoints[0].Conditions.Ready = false;
        await Client.DiscoveryV1.ReplaceNamespacedEndpointSliceAsync(slice, "cache-1", "default");
        await UntilAsync(name, "A", r => r.Status == "NXDOMAIN");
    }

    [Fact]
    public async Task ExternalNameServiceIsACname()
    {
        await Client.CoreV1.CreateNamespacedServiceAsync(new V1Service
        {
            Metadata = new V1ObjectMeta { Name = "search-engine" },
            Spec = new V1ServiceSpec { Type = "ExternalName", ExternalName = "www.example.com" },
        }, "default");
        var name = $"search-engine.default.svc.{Zone}";
        var cname = await UntilAnsweredAsync(name, "CNAME");
        Assert.Equal(["www.example.com."], cname.Data("CNAME"));
        // Asked for A: the CNAME, and no address since the upstream never answers (the client's resolver follows it).
        var clock = Stopwatch.StartNew();
        var a = await DigAsync(name, "A");
        Assert.Equal("NOERROR", a.Status);
        Assert.Equal(["www.example.com."], a.Data("CNAME"));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2.5), $"CNAME answer took {clock.Elapsed}");
    }

    [Fact]
    public async Task DeletedServiceIsNxdomainWithinASecond()
    {
        await CreateServiceAsync("short-lived", ports: [("http", 80, "TCP")]);
        var name = $"short-lived.default.svc.{Zone}";
        await UntilAnsweredAsync(name, "A");
        var clock = Stopwatch.StartNew();
        await Client.CoreV1.DeleteNamespacedServiceAsync("short-lived", "default");
        await UntilAsync(name, "A", r => r.Status == "NXDOMAIN", TimeSpan.FromSeconds(1));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"NXDOMAIN after {clock.Elapsed}");
    }

    [Fact]
    public async Task PodRecordsAnswerForPodsThatHaveTheAddress()
    {
        var pod = await Client.CoreV1.CreateNamespacedPodAsync(new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "dns-pod" },
            Spec = new V1PodSpec { Containers = [new V1Container { Name = "c", Image = "busybox" }] },
        }, "default");
        pod.Status ??= new V1PodStatus();
        pod.Status.PodIP = "10.244.7.9";
        pod.Status.PodIPs = [new V1PodIP { Ip = "10.244.7.9" }];
        await Client.CoreV1.ReplaceNamespacedPodStatusAsync(pod, "dns-pod", "default");
        var a = await UntilAnsweredAsync($"10-244-7-9.default.pod.{Zone}", "A");
        Assert.Equal(["10.244.7.9"], a.Data("A"));
        Assert.Equal("NXDOMAIN", (await DigAsync($"10-244-7-10.default.pod.{Zone}")).Status);
        Assert.Equal("NXDOMAIN", (await DigAsync($"10-244-7-9.kube-system.pod.{Zone}")).Status);
    }

    [Fact]
    public async Task TcpAnswersAndLargeUdpAnswersAreTruncated()
    {
        await CreateServiceAsync("wide", headless: true, ports: [("http", 80, "TCP")]);
        var endpoints = Enumerable.Range(1, 60).Select(i => ($"10.252.0.{i}", (string?)null, true)).ToArray();
        await CreateSliceAsync("wide", "wide-1", endpoints, ("http", 80));
        var name = $"wide.default.svc.{Zone}";
        var tcp = await UntilAsync(name, "A", r => r.Data("A").Count == 60, extra: "+tcp");
        Assert.Equal(60, tcp.Data("A").Count);

        var udp = await DigAsync(name, "A", "+ignore", "+noedns");
        Assert.Contains("tc", udp.Flags);
        Assert.True(udp.Data("A").Count < 60);
    }

    [Fact]
    public async Task NamesOutsideTheZoneGetServfailQuicklyWhenNoUpstreamAnswers()
    {
        var clock = Stopwatch.StartNew();
        var r = await DigAsync("www.example.com", "A");
        Assert.Equal("SERVFAIL", r.Status);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2.5), $"SERVFAIL after {clock.Elapsed}");
    }

    [Fact]
    public async Task KubeDnsServiceSitsAtTheRangesTenthAddress()
    {
        var svc = await Client.CoreV1.ReadNamespacedServiceAsync("kube-dns", "kube-system");
        Assert.Equal("10.96.0.10", svc.Spec.ClusterIP);
        Assert.Equal(["dns/UDP/53", "dns-tcp/TCP/53"], svc.Spec.Ports.Select(p => $"{p.Name}/{p.Protocol}/{p.Port}"));
        var ns = await UntilAnsweredAsync($"ns.dns.{Zone}", "A");
        Assert.Equal(["10.96.0.10"], ns.Data("A"));
        Assert.Equal([$"kube-dns.kube-system.svc.{Zone}."], (await DigAsync(ReverseName("10.96.0.10"), "PTR")).Data("PTR"));
    }

    [Fact]
    public async Task MalformedQueriesGetFormerrOrNothingAndTheServerLives()
    {
        using var udp = new UdpClient(AddressFamily.InterNetwork);
        udp.Connect(IPAddress.Loopback, fx.DnsPort);
        // A header that promises one question and carries none: FORMERR, or no answer.
        byte[] truncated = [0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00];
        await udp.SendAsync(truncated);
        var reply = await ReceiveAsync(udp, TimeSpan.FromSeconds(1), 0x12);
        if (reply is not null)
        {
            Assert.Equal(0x12, reply[0]);
            Assert.Equal(1, reply[3] & 0x0f); // RCODE 1 = FORMERR
        }
        // Two questions in one query: FORMERR (RFC 9619).
        byte[] two = [0x56, 0x78, 0x01, 0x00, 0x00, 0x02, 0, 0, 0, 0, 0, 0, 1, (byte)'a', 0, 0, 1, 0, 1, 1, (byte)'b', 0, 0, 1, 0, 1];
        await udp.SendAsync(two);
        var formerr = await ReceiveAsync(udp, TimeSpan.FromSeconds(2), 0x56);
        Assert.NotNull(formerr);
        Assert.Equal(1, formerr![3] & 0x0f);

        var random = new Random(11);
        for (var i = 0; i < 1000; i++)
        {
            var packet = new byte[random.Next(1, 600)];
            random.NextBytes(packet);
            await udp.SendAsync(packet);
        }
        var alive = await DigAsync($"dns-version.{Zone}", "TXT");
        Assert.Equal("NOERROR", alive.Status);
        Assert.False(fx.Server.ProcessId is { } pid && Process.GetProcessById(pid).HasExited);
    }

    /// <summary>The next reply whose ID starts with <paramref name="idHigh"/>, or null: a late answer to an earlier
    /// query (a busy machine) is skipped rather than read as this one's.</summary>
    private static async Task<byte[]?> ReceiveAsync(UdpClient udp, TimeSpan timeout, byte idHigh)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            while (true)
            {
                var reply = (await udp.ReceiveAsync(cts.Token)).Buffer;
                if (reply.Length >= 4 && reply[0] == idHigh) return reply;
            }
        }
        catch (OperationCanceledException) { return null; }
    }

    private async Task<V1Service> CreateServiceAsync(string name, (string Name, int Port, string Protocol)[] ports, bool headless = false) =>
        await Client.CoreV1.CreateNamespacedServiceAsync(new V1Service
        {
            Metadata = new V1ObjectMeta { Name = name },
            Spec = new V1ServiceSpec
            {
                ClusterIP = headless ? "None" : null,
                Ports = ports.Select(p => new V1ServicePort { Name = p.Name.Length == 0 ? null : p.Name, Port = p.Port, Protocol = p.Protocol }).ToList(),
            },
        }, "default");

    private Task<V1EndpointSlice> CreateSliceAsync(string service, string name, (string Ip, string? Hostname, bool Ready)[] endpoints, (string Name, int Port) port) =>
        Client.DiscoveryV1.CreateNamespacedEndpointSliceAsync(new V1EndpointSlice
        {
            Metadata = new V1ObjectMeta
            {
                Name = name,
                Labels = new Dictionary<string, string> { ["kubernetes.io/service-name"] = service, ["endpointslice.kubernetes.io/managed-by"] = "test" },
            },
            AddressType = "IPv4",
            Endpoints = endpoints.Select(e => new V1Endpoint
            {
                Addresses = [e.Ip],
                Hostname = e.Hostname,
                Conditions = new V1EndpointConditions { Ready = e.Ready },
            }).ToList(),
            Ports = [new Discoveryv1EndpointPort { Name = port.Name, Port = port.Port, Protocol = "TCP" }],
        }, "default");

    private Task<DigResult> UntilAnsweredAsync(string name, string type) => UntilAsync(name, type, r => r.Status == "NOERROR" && r.Answer.Count > 0);

    private async Task<DigResult> UntilAsync(string name, string type, Func<DigResult, bool> done, TimeSpan? timeout = null, params string[] extra)
    {
        DigResult? last = null;
        await Poll.UntilAsync($"dig {name} {type}", async () => done(last = await DigAsync(name, type, extra)),
            timeout ?? Propagation, () => last?.Output ?? "");
        return last!;
    }

    private static string ReverseName(string ip) => string.Join('.', ip.Split('.').Reverse()) + ".in-addr.arpa";
}
