using k8s.Models;
using Navarch.Agent.Pods;
using Navarch.Cri;

namespace Navarch.Agent.Tests.Pods;

/// <summary>resolv.conf by dnsPolicy with cluster DNS, and the kubelet-managed /etc/hosts.</summary>
public sealed class PodClusterDnsTests
{
    private static readonly DnsSpec Node = new(["10.0.0.2"], ["corp.example"], ["ndots:1", "edns0"]);
    private static readonly ClusterDnsSettings Cluster = new(["192.168.3.10"], "cluster.local");

    private static V1Pod Pod(string? policy, bool hostNetwork = false, V1PodDNSConfig? config = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = "p", NamespaceProperty = "prod", Uid = "uid-1" },
        Spec = new V1PodSpec { DnsPolicy = policy, HostNetwork = hostNetwork, DnsConfig = config, Containers = [new V1Container { Name = "c" }] },
    };

    [Theory]
    [InlineData(null, false)]
    [InlineData("ClusterFirst", false)]
    [InlineData("ClusterFirstWithHostNet", true)]
    [InlineData("ClusterFirstWithHostNet", false)]
    public void ClusterFirstUsesTheClusterDnsSearchPathAndNdots5(string? policy, bool hostNetwork)
    {
        var dns = PodDns.For(Pod(policy, hostNetwork), Node, Cluster);
        Assert.Equal(["192.168.3.10"], dns.Servers);
        Assert.Equal(["prod.svc.cluster.local", "svc.cluster.local", "cluster.local", "corp.example"], dns.Searches);
        Assert.Equal(["ndots:5"], dns.Options);
    }

    [Theory]
    [InlineData("Default", false)]
    [InlineData("ClusterFirst", true)]
    public void DefaultAndClusterFirstOnTheHostNetworkTakeTheNodes(string policy, bool hostNetwork) =>
        Assert.Equal(Node, PodDns.For(Pod(policy, hostNetwork), Node, Cluster));

    [Fact]
    public void ClusterFirstWithoutClusterDnsFallsBackToTheNodes() =>
        Assert.Equal(Node, PodDns.For(Pod("ClusterFirst"), Node, null));

    [Fact]
    public void NoneTakesOnlyDnsConfig()
    {
        var dns = PodDns.For(Pod("None", config: new V1PodDNSConfig
        {
            Nameservers = ["1.2.3.4"],
            Searches = ["my.dns.search.suffix"],
            Options = [new V1PodDNSConfigOption { Name = "ndots", Value = "2" }, new V1PodDNSConfigOption { Name = "edns0" }],
        }), Node, Cluster);
        Assert.Equal(["1.2.3.4"], dns.Servers);
        Assert.Equal(["my.dns.search.suffix"], dns.Searches);
        Assert.Equal(["ndots:2", "edns0"], dns.Options);
    }

    [Fact]
    public void DnsConfigMergesIntoClusterFirst()
    {
        var dns = PodDns.For(Pod("ClusterFirst", config: new V1PodDNSConfig
        {
            Searches = ["extra.example"],
            Options = [new V1PodDNSConfigOption { Name = "ndots", Value = "2" }],
        }), Node, Cluster);
        Assert.Equal("extra.example", dns.Searches[^1]);
        Assert.Equal(["ndots:2"], dns.Options);
    }

    [Fact]
    public void HostsFileHasLocalhostThePodAndItsAliases()
    {
        var pod = Pod("ClusterFirst");
        pod.Spec.Hostname = "web-0";
        pod.Spec.Subdomain = "web";
        pod.Spec.HostAliases = [new V1HostAlias { Ip = "10.1.2.3", Hostnames = ["foo.local", "bar.local"] }];
        var text = new PodHostsFile("", "cluster.local").Content(pod, "172.16.1.5", "web-0");
        Assert.Equal(
            "# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n" +
            "fe00::0\tip6-localnet\nfe00::0\tip6-mcastprefix\nfe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n" +
            "172.16.1.5\tweb-0.web.prod.svc.cluster.local\tweb-0\n\n# Entries added by HostAliases.\n10.1.2.3\tfoo.local\tbar.local\n",
            text);
    }

    [Fact]
    public void HostsFileIsWrittenUnderThePodsDirectoryAndMountedAtEtcHosts()
    {
        var root = Directory.CreateTempSubdirectory("navarch-hosts-").FullName;
        try
        {
            var pod = Pod("ClusterFirst");
            var hosts = new PodHostsFile(root, "cluster.local");
            var mount = Assert.Single(hosts.MountFor(pod, pod.Spec.Containers[0], "172.16.1.5", "p"));
            Assert.Equal(("/etc/hosts", Path.Combine(root, "uid-1", "etc-hosts")), (mount.ContainerPath, mount.HostPath));
            Assert.EndsWith("172.16.1.5\tp\n", File.ReadAllText(mount.HostPath));
            pod.Spec.HostNetwork = true;
            Assert.Empty(hosts.MountFor(pod, pod.Spec.Containers[0], "172.16.1.5", "p"));
        }
        finally { Directory.Delete(root, recursive: true); }
    }

    [Theory]
    [InlineData("10.96.0.10,fd00::a", "cluster.local.", 2, "cluster.local")]
    [InlineData(null, null, 0, "cluster.local")]
    [InlineData("", "corp.example", 0, "corp.example")]
    public void FlagsParse(string? servers, string? domain, int count, string expectedDomain)
    {
        var s = ClusterDnsSettings.Parse(servers, domain);
        Assert.Equal((count, expectedDomain), (s.Servers.Count, s.Domain));
    }

    [Fact]
    public void BadClusterDnsFlagNamesTheFlag() =>
        Assert.Contains("--cluster-dns", Assert.Throws<ArgumentException>(() => ClusterDnsSettings.Parse("dns.example", null)).Message);
}
