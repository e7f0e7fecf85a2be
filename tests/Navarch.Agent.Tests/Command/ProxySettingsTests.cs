using System.Net;
using Navarch.Agent.Command;
using Navarch.Proxy;

namespace Navarch.Agent.Tests.Command;

public sealed class ProxySettingsTests
{
    private static readonly AgentOptions Node = new() { NodeName = "node1", NodeIp = "192.168.0.201", DataDir = "/tmp/x" };

    [Theory]
    [InlineData(null, false, ProxyMode.Iptables)]
    [InlineData(null, true, ProxyMode.None)]
    [InlineData("userspace", true, ProxyMode.Userspace)]
    [InlineData("iptables", false, ProxyMode.Iptables)]
    [InlineData("none", false, ProxyMode.None)]
    public void Mode_defaults_to_iptables_except_for_hollow_nodes(string? flag, bool fake, ProxyMode expected) =>
        Assert.Equal(expected, ProxySettings.Parse(flag, null, fake, Node).Mode);

    [Fact]
    public void The_node_is_the_agents_own_with_the_pod_network()
    {
        var settings = ProxySettings.Parse("userspace", "172.16.0.0/16", false, Node);
        Assert.Equal(new ProxyNode("node1", IPAddress.Parse("192.168.0.201"), IPNetwork.Parse("172.16.0.0/16")), settings.Node);
    }

    [Theory]
    [InlineData("172.16.0.0")]
    [InlineData("fd00::/64")]
    [InlineData("nonsense")]
    public void A_bad_cluster_cidr_is_a_one_line_error(string cidr)
    {
        var e = Assert.Throws<ArgumentException>(() => ProxySettings.Parse(null, cidr, false, Node));
        Assert.Equal($"--cluster-cidr \"{cidr}\" is not an IPv4 CIDR", e.Message);
    }
}
