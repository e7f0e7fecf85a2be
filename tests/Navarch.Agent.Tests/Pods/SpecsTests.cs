using k8s.Models;
using Navarch.Agent.Pods;
using Navarch.Cri;

namespace Navarch.Agent.Tests.Pods;

[Trait("Category", "Unit")]
public sealed class SpecsTests
{
    [Fact]
    public void ResolvConfIsParsed()
    {
        var dns = PodDns.ParseResolvConf("# generated\nnameserver 10.0.0.2\nnameserver 10.0.0.3\nsearch a.example b.example\noptions ndots:2 edns0\n");
        Assert.Equal(["10.0.0.2", "10.0.0.3"], dns.Servers);
        Assert.Equal(["a.example", "b.example"], dns.Searches);
        Assert.Equal(["ndots:2", "edns0"], dns.Options);
    }

    [Theory]
    [InlineData("Default", new[] { "10.0.0.2", "1.1.1.1" }, new[] { "ndots:5", "edns0" })]
    [InlineData("ClusterFirst", new[] { "10.0.0.2", "1.1.1.1" }, new[] { "ndots:5", "edns0" })]
    [InlineData("None", new[] { "1.1.1.1" }, new[] { "ndots:5" })]
    public void DnsConfigMergesOverThePolicy(string policy, string[] servers, string[] options)
    {
        var node = new DnsSpec(["10.0.0.2"], ["example"], ["ndots:1", "edns0"]);
        var spec = new V1PodSpec
        {
            DnsPolicy = policy,
            DnsConfig = new V1PodDNSConfig { Nameservers = ["1.1.1.1"], Options = [new V1PodDNSConfigOption { Name = "ndots", Value = "5" }] },
        };
        var dns = PodDns.For(spec, node);
        Assert.Equal(servers, dns.Servers);
        Assert.Equal(options, dns.Options);
    }

    [Fact]
    public void SandboxAndContainerSpecsCarryThePodsIdentity()
    {
        var pod = new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "web-1", NamespaceProperty = "shop", Uid = "u-9", Labels = new Dictionary<string, string> { ["app"] = "web" } },
            Spec = new V1PodSpec
            {
                TerminationGracePeriodSeconds = 5,
                Containers =
                [
                    new V1Container
                    {
                        Name = "nginx", Image = "nginx", WorkingDir = "/srv",
                        Ports = [new V1ContainerPort { ContainerPort = 80, HostPort = 8080 }, new V1ContainerPort { ContainerPort = 443 }],
                        Resources = new V1ResourceRequirements { Limits = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("500m"), ["memory"] = new("64Mi") } },
                    },
                ],
            },
        };
        var sandbox = RuntimeSpecs.Sandbox(pod, 1, new DnsSpec(["10.0.0.2"], [], []), "/data/pods", "");
        Assert.Equal(("web-1", "shop", "u-9", 1, "web-1"), (sandbox.Name, sandbox.Namespace, sandbox.Uid, sandbox.Attempt, sandbox.Hostname));
        Assert.Equal("/data/pods/shop_web-1_u-9", sandbox.LogDirectory);
        Assert.Equal([new PortMapping(PortProtocol.Tcp, 80, 8080)], sandbox.PortMappings);
        Assert.Equal("u-9", sandbox.Labels[RuntimeLabels.PodUid]);
        Assert.Equal("web", sandbox.Labels["app"]);
        Assert.Equal("5", sandbox.Annotations[RuntimeLabels.PodTerminationGracePeriod]);

        var c = RuntimeSpecs.Container(pod, pod.Spec.Containers[0], 3, [new("A", "b")]);
        Assert.Equal(("nginx", 3, "/srv", "nginx/3.log"), (c.Name, c.Attempt, c.WorkingDir, c.LogPath));
        Assert.Equal("nginx", c.Labels[RuntimeLabels.ContainerName]);
        Assert.Equal("3", c.Annotations[RuntimeLabels.ContainerRestartCount]);
        Assert.Equal(new LinuxResources(512, 100_000, 50_000, 64 * 1024 * 1024), c.Resources);
    }

    [Theory]
    [InlineData(10_000, "10s")]
    [InlineData(200, "200ms")]
    [InlineData(80_000, "1m20s")]
    [InlineData(300_000, "5m0s")]
    [InlineData(1_500, "1.5s")]
    public void GoDurations(int milliseconds, string expected) =>
        Assert.Equal(expected, GoDuration.Format(TimeSpan.FromMilliseconds(milliseconds)));

    [Theory]
    [InlineData("nginx", "Always")]
    [InlineData("nginx:latest", "Always")]
    [InlineData("nginx:1.25", "IfNotPresent")]
    [InlineData("registry:5000/nginx", "Always")]
    [InlineData("registry:5000/nginx:1.0", "IfNotPresent")]
    [InlineData("nginx@sha256:abc", "IfNotPresent")]
    public void DefaultPullPolicy(string image, string policy) => Assert.Equal(policy, ImagePuller.DefaultPolicy(image));
}
