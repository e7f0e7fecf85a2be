using k8s;
using k8s.Models;
using Navarch.Integration.Tests.Fixtures;

namespace Navarch.Integration.Tests;

/// <summary>A server with small, known ranges, so allocation tests can name free, taken and out-of-range values.</summary>
public sealed class SmallRangeServer : ServerFixture
{
    public const string Range = "10.66.0.0/24";
    public const int FirstNodePort = 30100;
    public const int LastNodePort = 30199;

    protected override string[] ServerArgs =>
        [.. ApiServerOnly, "--service-cluster-ip-range", Range, "--service-node-port-range", $"{FirstNodePort}-{LastNodePort}"];
}

/// <summary>
/// ClusterIP and NodePort allocation: automatic values in range, explicit free values honoured, taken and
/// out-of-range values refused with upstream's 422 messages, values released on delete, headless services.
/// </summary>
[Trait("Category", "Integration")]
public sealed class ServiceAllocationTests(SmallRangeServer fixture) : IClassFixture<SmallRangeServer>
{
    private Kubernetes Client => fixture.Client;

    [Fact]
    public async Task Automatic_cluster_IPs_and_node_ports_come_from_the_ranges_and_are_unique()
    {
        var ns = await fixture.NewNamespaceAsync("auto-");
        var made = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => Client.CoreV1.CreateNamespacedServiceAsync(Objects.Service($"svc-{i}", "NodePort"), ns)));
        foreach (var svc in made)
        {
            Assert.StartsWith("10.66.0.", svc.Spec.ClusterIP);
            Assert.Equal([svc.Spec.ClusterIP], svc.Spec.ClusterIPs);
            Assert.NotEqual("10.66.0.1", svc.Spec.ClusterIP); // the kubernetes service's
            Assert.InRange(svc.Spec.Ports[0].NodePort ?? 0, SmallRangeServer.FirstNodePort, SmallRangeServer.LastNodePort);
        }
        Assert.Equal(6, made.Select(s => s.Spec.ClusterIP).Distinct().Count());
        Assert.Equal(6, made.Select(s => s.Spec.Ports[0].NodePort).Distinct().Count());
        var kubernetes = await Client.CoreV1.ReadNamespacedServiceAsync("kubernetes", "default");
        Assert.Equal("10.66.0.1", kubernetes.Spec.ClusterIP);
    }

    [Fact]
    public async Task An_explicit_cluster_IP_is_honoured_refused_when_taken_or_out_of_range_and_released_on_delete()
    {
        var ns = await fixture.NewNamespaceAsync("ip-");
        var ip = await FreeIpAsync();
        var first = await Client.CoreV1.CreateNamespacedServiceAsync(Objects.Service("first", clusterIp: ip), ns);
        Assert.Equal(ip, first.Spec.ClusterIP);

        var taken = await ApiAssert.FailsAsync(422, () => Client.CoreV1.CreateNamespacedServiceAsync(Objects.Service("second", clusterIp: ip), ns));
        Assert.Equal("Invalid", taken.Reason);
        Assert.Contains("provided IP is already allocated", taken.Message);
        Assert.Contains(taken.Details.Causes, c => c.Field == "spec.clusterIPs");

        var outside = await ApiAssert.FailsAsync(422, () => Client.CoreV1.CreateNamespacedServiceAsync(Objects.Service("third", clusterIp: "10.77.0.5"), ns));
        Assert.Contains($"The range of valid IPs is {SmallRangeServer.Range}", outside.Message);

        await Client.CoreV1.DeleteNamespacedServiceAsync("first", ns);
        var reused = await Client.CoreV1.CreateNamespacedServiceAsync(Objects.Service("second", clusterIp: ip), ns);
        Assert.Equal(ip, reused.Spec.ClusterIP);
    }

    [Fact]
    public async Task An_explicit_node_port_is_honoured_refused_when_taken_or_out_of_range_and_released_on_delete()
    {
        var ns = await fixture.NewNamespaceAsync("port-");
        var port = await FreeNodePortAsync();
        var first = await Client.CoreV1.CreateNamespacedServiceAsync(Objects.Service("first", "NodePort", nodePort: port), ns);
        Assert.Equal(port, first.Spec.Ports[0].NodePort);

        var taken = await ApiAssert.FailsAsync(422, () => Client.CoreV1.CreateNamespacedServiceAsync(Objects.Service("second", "NodePort", nodePort: port), ns));
        Assert.Contains("provided port is already allocated", taken.Message);
        Assert.Contains(taken.Details.Causes, c => c.Field == "spec.ports[0].nodePort");

        var outside = await ApiAssert.FailsAsync(422, () => Client.CoreV1.CreateNamespacedServiceAsync(Objects.Service("third", "NodePort", nodePort: 30500), ns));
        Assert.Contains($"The range of valid ports is {SmallRangeServer.FirstNodePort}-{SmallRangeServer.LastNodePort}", outside.Message);
        // A refused create stores nothing.
        await ApiAssert.FailsAsync(404, () => Client.CoreV1.ReadNamespacedServiceAsync("third", ns));

        await Client.CoreV1.DeleteNamespacedServiceAsync("first", ns);
        var reused = await Client.CoreV1.CreateNamespacedServiceAsync(Objects.Service("second", "NodePort", nodePort: port), ns);
        Assert.Equal(port, reused.Spec.Ports[0].NodePort);

        // Turning a NodePort service into a ClusterIP one releases its port.
        reused.Spec.Type = "ClusterIP";
        reused.Spec.Ports[0].NodePort = null;
        await Client.CoreV1.ReplaceNamespacedServiceAsync(reused, "second", ns);
        var again = await Client.CoreV1.CreateNamespacedServiceAsync(Objects.Service("fourth", "NodePort", nodePort: port), ns);
        Assert.Equal(port, again.Spec.Ports[0].NodePort);
    }

    // Tests of this class run one at a time, so a value no service holds now stays free for the test.
    private async Task<string> FreeIpAsync()
    {
        var used = (await Client.CoreV1.ListServiceForAllNamespacesAsync()).Items.Select(s => s.Spec.ClusterIP).ToHashSet();
        return Enumerable.Range(200, 50).Select(i => $"10.66.0.{i}").First(ip => !used.Contains(ip));
    }

    private async Task<int> FreeNodePortAsync()
    {
        var used = (await Client.CoreV1.ListServiceForAllNamespacesAsync()).Items.SelectMany(s => s.Spec.Ports ?? []).Select(p => p.NodePort).ToHashSet();
        return Enumerable.Range(30150, 50).First(p => !used.Contains(p));
    }

    [Fact]
    public async Task A_headless_service_keeps_None_and_takes_no_IP()
    {
        var ns = await fixture.NewNamespaceAsync("headless-");
        var headless = await Client.CoreV1.CreateNamespacedServiceAsync(Objects.Service("headless", clusterIp: "None"), ns);
        Assert.Equal("None", headless.Spec.ClusterIP);
        Assert.Equal(["None"], headless.Spec.ClusterIPs);
        var stored = await Client.CoreV1.ReadNamespacedServiceAsync("headless", ns);
        Assert.Equal("None", stored.Spec.ClusterIP);
    }
}
