using System.Net;
using Navarch.Proxy.Tests.ChangeTracking;
using Navarch.Proxy.Userspace;

namespace Navarch.Proxy.Tests.Userspace;

public class PortalRulesTests
{
    [Fact]
    public void Seed_services_render_the_walkthroughs_four_chains()
    {
        var ports = SeedCluster.Ports();
        var clusterIp = ports.Single(p => p.Service == "nginx-service-clusterip");
        var nodePort = ports.Single(p => p.Service == "nginx-service-nodeport");

        var text = PortalRules.Render([(nodePort, 43981), (clusterIp, 43982)], SeedCluster.Node201);

        // Byte for byte what iptables-save -t nat (1.8.9) prints back for these rules, minus its built-in chains.
        Assert.Equal(
            """
            *nat
            :KUBE-PORTALS-CONTAINER - [0:0]
            :KUBE-PORTALS-HOST - [0:0]
            :KUBE-NODEPORT-CONTAINER - [0:0]
            :KUBE-NODEPORT-HOST - [0:0]
            -A KUBE-PORTALS-CONTAINER -d 192.168.3.91/32 -p tcp -m comment --comment "default/nginx-service-clusterip:" -m tcp --dport 8001 -j REDIRECT --to-ports 43982
            -A KUBE-PORTALS-CONTAINER -d 192.168.3.84/32 -p tcp -m comment --comment "default/nginx-service-nodeport:" -m tcp --dport 8000 -j REDIRECT --to-ports 43981
            -A KUBE-PORTALS-HOST -d 192.168.3.91/32 -p tcp -m comment --comment "default/nginx-service-clusterip:" -m tcp --dport 8001 -j DNAT --to-destination 192.168.0.201:43982
            -A KUBE-PORTALS-HOST -d 192.168.3.84/32 -p tcp -m comment --comment "default/nginx-service-nodeport:" -m tcp --dport 8000 -j DNAT --to-destination 192.168.0.201:43981
            -A KUBE-NODEPORT-CONTAINER -p tcp -m comment --comment "default/nginx-service-nodeport:" -m tcp --dport 32606 -j REDIRECT --to-ports 43981
            -A KUBE-NODEPORT-HOST -p tcp -m comment --comment "default/nginx-service-nodeport:" -m tcp --dport 32606 -j DNAT --to-destination 192.168.0.201:43981
            COMMIT

            """,
            text);
    }

    [Fact]
    public void The_walkthroughs_example_rule_is_rendered_verbatim()
    {
        var nodePort = SeedCluster.Ports().Single(p => p.Service == "nginx-service-nodeport");

        var lines = PortalRules.Render([(nodePort, 43981)], SeedCluster.Node201).Split('\n');

        Assert.Contains(
            "-A KUBE-PORTALS-CONTAINER -d 192.168.3.84/32 -p tcp -m comment --comment \"default/nginx-service-nodeport:\" -m tcp --dport 8000 -j REDIRECT --to-ports 43981",
            lines);
    }

    [Fact]
    public void Named_udp_ports_use_their_name_and_protocol()
    {
        var dns = Port("kube-system", "kube-dns", "dns", "UDP", "10.96.0.10", 53);
        var dnsTcp = Port("kube-system", "kube-dns", "dns-tcp", "TCP", "10.96.0.10", 53);

        var lines = PortalRules.Render([(dnsTcp, 40001), (dns, 40000)], SeedCluster.Node201).Split('\n');

        Assert.Equal(
            [
                "-A KUBE-PORTALS-CONTAINER -d 10.96.0.10/32 -p udp -m comment --comment \"kube-system/kube-dns:dns\" -m udp --dport 53 -j REDIRECT --to-ports 40000",
                "-A KUBE-PORTALS-CONTAINER -d 10.96.0.10/32 -p tcp -m comment --comment \"kube-system/kube-dns:dns-tcp\" -m tcp --dport 53 -j REDIRECT --to-ports 40001",
            ],
            lines.Where(l => l.StartsWith("-A KUBE-PORTALS-CONTAINER", StringComparison.Ordinal)));
        Assert.DoesNotContain(lines, l => l.StartsWith("-A KUBE-NODEPORT", StringComparison.Ordinal));
    }

    [Fact]
    public void Without_ports_the_chains_are_still_declared_so_restore_empties_them()
    {
        Assert.Equal(
            """
            *nat
            :KUBE-PORTALS-CONTAINER - [0:0]
            :KUBE-PORTALS-HOST - [0:0]
            :KUBE-NODEPORT-CONTAINER - [0:0]
            :KUBE-NODEPORT-HOST - [0:0]
            COMMIT

            """,
            PortalRules.Render([], SeedCluster.Node201));
    }

    [Fact]
    public void The_same_ports_render_the_same_text_whatever_the_order()
    {
        var ports = SeedCluster.Ports().Select((p, i) => (p, 43000 + i)).ToList();

        Assert.Equal(
            PortalRules.Render(ports, SeedCluster.Node201),
            PortalRules.Render(ports.AsEnumerable().Reverse().ToList(), SeedCluster.Node201));
    }

    [Fact]
    public void Jumps_are_the_1x_userspace_proxiers()
    {
        Assert.Equal(
            [
                "nat PREROUTING first: -m comment --comment handle ClusterIPs; NOTE: this must be before the NodePort rules -j KUBE-PORTALS-CONTAINER",
                "nat OUTPUT first: -m comment --comment handle ClusterIPs; NOTE: this must be before the NodePort rules -j KUBE-PORTALS-HOST",
                "nat PREROUTING last: -m addrtype --dst-type LOCAL -m comment --comment handle service NodePorts; NOTE: this must be the last rule in the chain -j KUBE-NODEPORT-CONTAINER",
                "nat OUTPUT last: -m addrtype --dst-type LOCAL -m comment --comment handle service NodePorts; NOTE: this must be the last rule in the chain -j KUBE-NODEPORT-HOST",
            ],
            PortalRules.Jumps.Select(j => $"{j.Table} {j.Chain} {(j.Prepend ? "first" : "last")}: {string.Join(' ', j.Rule)}"));
    }

    [Fact]
    public void Cleanup_flushes_and_deletes_the_four_chains()
    {
        Assert.Equal(["KUBE-PORTALS-CONTAINER", "KUBE-PORTALS-HOST", "KUBE-NODEPORT-CONTAINER", "KUBE-NODEPORT-HOST"], PortalRules.Chains);
        Assert.Equal(
            """
            *nat
            :KUBE-PORTALS-CONTAINER - [0:0]
            :KUBE-PORTALS-HOST - [0:0]
            :KUBE-NODEPORT-CONTAINER - [0:0]
            :KUBE-NODEPORT-HOST - [0:0]
            -X KUBE-PORTALS-CONTAINER
            -X KUBE-PORTALS-HOST
            -X KUBE-NODEPORT-CONTAINER
            -X KUBE-NODEPORT-HOST
            COMMIT

            """,
            PortalRules.RenderCleanup());
    }

    [Theory]
    [InlineData("plainword", "plainword")]
    [InlineData("with_under-score9", "with_under-score9")]
    [InlineData("default/nginx:", "\"default/nginx:\"")]
    [InlineData("has \"quote\" and \\ and '", "\"has \\\"quote\\\" and \\\\ and \\'\"")]
    [InlineData("", "\"\"")]
    public void Strings_are_quoted_as_iptables_save_quotes_them(string value, string expected)
    {
        // Checked against iptables-save 1.8.9 in a scratch network namespace.
        Assert.Equal(expected, PortalRules.SaveQuoted(value));
    }

    private static ServicePort Port(string ns, string service, string portName, string protocol, string clusterIp, int port, int nodePort = 0) =>
        new(ns, service, portName, protocol, IPAddress.Parse(clusterIp), port, nodePort, false, 10800, false, []);
}
