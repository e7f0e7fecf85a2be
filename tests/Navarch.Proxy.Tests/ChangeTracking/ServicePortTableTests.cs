using System.Net;
using k8s.Models;
using Navarch.Proxy.ChangeTracking;

namespace Navarch.Proxy.Tests.ChangeTracking;

public class ServicePortTableTests
{
    [Fact]
    public void Seed_services_give_one_port_each_with_both_nginx_pods()
    {
        var ports = ServicePortTable.Build(SeedCluster.Services(), SeedCluster.Slices());

        Assert.Collection(ports,
            clusterIp =>
            {
                Assert.Equal(("default", "nginx-service-clusterip", ""), (clusterIp.Namespace, clusterIp.Service, clusterIp.PortName));
                Assert.Equal("TCP", clusterIp.Protocol);
                Assert.Equal(IPAddress.Parse("192.168.3.91"), clusterIp.ClusterIp);
                Assert.Equal(8001, clusterIp.Port);
                Assert.Equal(0, clusterIp.NodePort);
                Assert.False(clusterIp.ClientIpAffinity);
                Assert.Equal(10800, clusterIp.AffinitySeconds);
                Assert.False(clusterIp.ExternalTrafficLocal);
                Assert.Equal("default/nginx-service-clusterip:", clusterIp.Name);
                Assert.Equal(SeedCluster.NginxEndpoints, clusterIp.Endpoints);
            },
            nodePort =>
            {
                Assert.Equal("nginx-service-nodeport", nodePort.Service);
                Assert.Equal(IPAddress.Parse("192.168.3.84"), nodePort.ClusterIp);
                Assert.Equal(8000, nodePort.Port);
                Assert.Equal(32606, nodePort.NodePort);
                Assert.Equal(SeedCluster.NginxEndpoints, nodePort.Endpoints);
            });
    }

    [Fact]
    public void Endpoint_conditions_default_as_the_api_says()
    {
        var slice = SeedCluster.Slice("default", "web", "web-1", [SeedCluster.Port("", 80)],
            new V1Endpoint { Addresses = ["10.0.0.1"] },
            new V1Endpoint { Addresses = ["10.0.0.2"], Conditions = new V1EndpointConditions { Ready = false } },
            new V1Endpoint { Addresses = ["10.0.0.3"], Conditions = new V1EndpointConditions { Ready = false, Serving = true, Terminating = true } });

        var port = Assert.Single(ServicePortTable.Build([SeedCluster.Service("default", "web", "10.96.0.10", SeedCluster.ServicePort("", 80))], [slice]));

        Assert.Equal(
            [
                new ServiceEndpoint(IPAddress.Parse("10.0.0.1"), 80, Ready: true, Serving: true, Terminating: false, NodeName: null),
                new ServiceEndpoint(IPAddress.Parse("10.0.0.2"), 80, Ready: false, Serving: false, Terminating: false, NodeName: null),
                new ServiceEndpoint(IPAddress.Parse("10.0.0.3"), 80, Ready: false, Serving: true, Terminating: true, NodeName: null),
            ],
            port.Endpoints);
    }

    [Fact]
    public void Named_ports_of_a_multi_port_service_take_their_own_target_ports()
    {
        var service = SeedCluster.Service("shop", "web", "10.96.0.20", SeedCluster.ServicePort("https", 443), SeedCluster.ServicePort("http", 80));
        var slice = SeedCluster.Slice("shop", "web", "web-abc", [SeedCluster.Port("http", 8080), SeedCluster.Port("https", 8443)],
            new V1Endpoint { Addresses = ["10.0.0.9"] }, new V1Endpoint { Addresses = ["10.0.0.10"] });

        var ports = ServicePortTable.Build([service], [slice]);

        // Sorted by port name; endpoints sorted numerically (10.0.0.9 before 10.0.0.10).
        Assert.Equal(["http", "https"], ports.Select(p => p.PortName));
        Assert.Equal(["10.0.0.9:8080", "10.0.0.10:8080"], ports[0].Endpoints.Select(e => e.EndPoint.ToString()));
        Assert.Equal(["10.0.0.9:8443", "10.0.0.10:8443"], ports[1].Endpoints.Select(e => e.EndPoint.ToString()));
        Assert.Equal("shop/web:http", ports[0].Name);
    }

    [Fact]
    public void A_slice_port_must_match_the_protocol_too()
    {
        var service = SeedCluster.Service("kube-system", "dns", "10.96.0.10", SeedCluster.ServicePort("dns", 53, "UDP"), SeedCluster.ServicePort("dns-tcp", 53));
        var slice = SeedCluster.Slice("kube-system", "dns", "dns-1", [SeedCluster.Port("dns", 53, "TCP"), SeedCluster.Port("dns-tcp", 53, "TCP")],
            new V1Endpoint { Addresses = ["10.0.0.5"] });

        var ports = ServicePortTable.Build([service], [slice]);

        Assert.Empty(ports.Single(p => p.PortName == "dns").Endpoints);
        Assert.Single(ports.Single(p => p.PortName == "dns-tcp").Endpoints);
        Assert.Equal("UDP", ports.Single(p => p.PortName == "dns").Protocol);
    }

    [Fact]
    public void Only_ipv4_slices_of_the_same_service_and_namespace_count()
    {
        var service = SeedCluster.Service("default", "web", "10.96.0.30", SeedCluster.ServicePort("", 80));
        V1EndpointSlice[] slices =
        [
            SeedCluster.Slice("default", "web", "web-1", [SeedCluster.Port("", 80)], new V1Endpoint { Addresses = ["10.0.0.1"] }),
            SeedCluster.Slice("other", "web", "web-1", [SeedCluster.Port("", 80)], new V1Endpoint { Addresses = ["10.0.0.2"] }),
            SeedCluster.Slice("default", "web2", "web2-1", [SeedCluster.Port("", 80)], new V1Endpoint { Addresses = ["10.0.0.3"] }),
            WithAddressType(SeedCluster.Slice("default", "web", "web-v6", [SeedCluster.Port("", 80)], new V1Endpoint { Addresses = ["fd00::1"] }), "IPv6"),
        ];

        var port = Assert.Single(ServicePortTable.Build([service], slices));

        Assert.Equal([IPAddress.Parse("10.0.0.1")], port.Endpoints.Select(e => e.Address));
    }

    [Fact]
    public void The_same_address_in_two_slices_is_kept_once_from_the_first_slice_by_name()
    {
        var service = SeedCluster.Service("default", "web", "10.96.0.30", SeedCluster.ServicePort("", 80));
        var older = SeedCluster.Slice("default", "web", "web-b", [SeedCluster.Port("", 80)],
            new V1Endpoint { Addresses = ["10.0.0.1"], Conditions = new V1EndpointConditions { Ready = false } });
        var newer = SeedCluster.Slice("default", "web", "web-a", [SeedCluster.Port("", 80)],
            new V1Endpoint { Addresses = ["10.0.0.1"], NodeName = "n1" }, new V1Endpoint { Addresses = ["10.0.0.2"] });

        var port = Assert.Single(ServicePortTable.Build([service], [older, newer]));

        Assert.Equal(2, port.Endpoints.Count);
        Assert.True(port.Endpoints[0].Ready);
        Assert.Equal("n1", port.Endpoints[0].NodeName);
    }

    [Theory]
    [InlineData("None", "ClusterIP")]
    [InlineData("", "ClusterIP")]
    [InlineData(null, "ClusterIP")]
    [InlineData("10.96.0.40", "ExternalName")]
    [InlineData("fd00::40", "ClusterIP")]
    public void Services_without_an_ipv4_cluster_ip_are_skipped(string? clusterIp, string type)
    {
        var service = SeedCluster.Service("default", "headless", clusterIp, SeedCluster.ServicePort("", 80));
        service.Spec.Type = type;

        Assert.Empty(ServicePortTable.Build([service], []));
    }

    [Fact]
    public void Affinity_and_external_policy_come_from_the_spec()
    {
        var sticky = SeedCluster.Service("default", "sticky", "10.96.0.50", SeedCluster.ServicePort("", 80, nodePort: 30080));
        sticky.Spec.Type = "NodePort";
        sticky.Spec.SessionAffinity = "ClientIP";
        sticky.Spec.SessionAffinityConfig = new V1SessionAffinityConfig { ClientIP = new V1ClientIPConfig { TimeoutSeconds = 60 } };
        sticky.Spec.ExternalTrafficPolicy = "Local";
        // Local is meaningless without a node port or load balancer, so a ClusterIP service never gets it.
        var internalOnly = SeedCluster.Service("default", "internal", "10.96.0.51", SeedCluster.ServicePort("", 80));
        internalOnly.Spec.ExternalTrafficPolicy = "Local";
        internalOnly.Spec.SessionAffinity = "ClientIP";

        var ports = ServicePortTable.Build([sticky, internalOnly], []);

        var internalPort = ports[0];
        var stickyPort = ports[1];
        Assert.True(stickyPort.ClientIpAffinity);
        Assert.Equal(60, stickyPort.AffinitySeconds);
        Assert.True(stickyPort.ExternalTrafficLocal);
        Assert.Equal(30080, stickyPort.NodePort);
        Assert.True(internalPort.ClientIpAffinity);
        Assert.Equal(10800, internalPort.AffinitySeconds);
        Assert.False(internalPort.ExternalTrafficLocal);
    }

    [Fact]
    public void Output_does_not_depend_on_input_order()
    {
        var services = SeedCluster.Services();
        var slices = SeedCluster.Slices();

        var forward = ServicePortTable.Build(services, slices);
        var backward = ServicePortTable.Build(services.AsEnumerable().Reverse(), slices.AsEnumerable().Reverse());

        Assert.Equal(forward.Select(Describe), backward.Select(Describe));
    }

    [Fact]
    public void Usable_endpoints_are_the_ready_ones()
    {
        var port = PortWith(
            Endpoint("10.0.0.1", ready: true, serving: true, terminating: false),
            Endpoint("10.0.0.2", ready: false, serving: false, terminating: false),
            Endpoint("10.0.0.3", ready: false, serving: true, terminating: true));

        Assert.Equal([IPAddress.Parse("10.0.0.1")], ServicePortTable.Usable(port).Select(e => e.Address));
    }

    [Fact]
    public void Without_ready_endpoints_the_serving_terminating_ones_are_used()
    {
        var port = PortWith(
            Endpoint("10.0.0.2", ready: false, serving: false, terminating: false),
            Endpoint("10.0.0.3", ready: false, serving: true, terminating: true),
            Endpoint("10.0.0.4", ready: false, serving: false, terminating: true));

        Assert.Equal([IPAddress.Parse("10.0.0.3")], ServicePortTable.Usable(port).Select(e => e.Address));
    }

    [Fact]
    public void Without_ready_or_serving_endpoints_nothing_is_usable()
    {
        var port = PortWith(Endpoint("10.0.0.2", ready: false, serving: false, terminating: true));

        Assert.Empty(ServicePortTable.Usable(port));
    }

    private static V1EndpointSlice WithAddressType(V1EndpointSlice slice, string type)
    {
        slice.AddressType = type;
        return slice;
    }

    private static ServiceEndpoint Endpoint(string ip, bool ready, bool serving, bool terminating) =>
        new(IPAddress.Parse(ip), 80, ready, serving, terminating, "n1");

    private static ServicePort PortWith(params ServiceEndpoint[] endpoints) =>
        new("default", "web", "", "TCP", IPAddress.Parse("10.96.0.1"), 80, 0, false, 10800, false, endpoints);

    private static string Describe(ServicePort p) =>
        $"{p.Name} {p.ClusterIp}:{p.Port} {string.Join(",", p.Endpoints.Select(e => e.EndPoint))}";
}

/// <summary>
/// The seed walkthrough's cluster as the proxy sees it: the two nginx services of steps 3 and 4 (cluster IPs as the
/// walkthrough shows them, node port 32606) and their slices, with one nginx pod on 192.168.0.201 and one on .203.
/// </summary>
internal static class SeedCluster
{
    public static readonly ProxyNode Node201 = new("192.168.0.201", IPAddress.Parse("192.168.0.201"), IPNetwork.Parse("172.16.0.0/16"));

    public static readonly IReadOnlyList<ServiceEndpoint> NginxEndpoints =
    [
        new(IPAddress.Parse("172.16.1.2"), 80, Ready: true, Serving: true, Terminating: false, NodeName: "192.168.0.201"),
        new(IPAddress.Parse("172.16.3.2"), 80, Ready: true, Serving: true, Terminating: false, NodeName: "192.168.0.203"),
    ];

    public static V1Service[] Services()
    {
        var nodePort = Service("default", "nginx-service-nodeport", "192.168.3.84", ServicePort("", 8000, nodePort: 32606));
        nodePort.Spec.Type = "NodePort";
        return [Service("default", "nginx-service-clusterip", "192.168.3.91", ServicePort("", 8001)), nodePort];
    }

    public static V1EndpointSlice[] Slices() =>
    [
        NginxSlice("nginx-service-nodeport", "nginx-service-nodeport-7xk2p"),
        NginxSlice("nginx-service-clusterip", "nginx-service-clusterip-q9zvb"),
    ];

    public static IReadOnlyList<ServicePort> Ports() => ServicePortTable.Build(Services(), Slices());

    public static V1Service Service(string ns, string name, string? clusterIp, params V1ServicePort[] ports) => new()
    {
        Metadata = new V1ObjectMeta { NamespaceProperty = ns, Name = name },
        Spec = new V1ServiceSpec { Type = "ClusterIP", ClusterIP = clusterIp, Ports = ports, Selector = new Dictionary<string, string> { ["name"] = "nginx" } },
    };

    public static V1ServicePort ServicePort(string name, int port, string protocol = "TCP", int? nodePort = null) => new()
    {
        Name = name.Length == 0 ? null : name,
        Port = port,
        Protocol = protocol,
        NodePort = nodePort,
    };

    public static Discoveryv1EndpointPort Port(string name, int port, string protocol = "TCP") => new() { Name = name, Port = port, Protocol = protocol };

    public static V1EndpointSlice Slice(string ns, string service, string name, Discoveryv1EndpointPort[] ports, params V1Endpoint[] endpoints) => new()
    {
        Metadata = new V1ObjectMeta
        {
            NamespaceProperty = ns,
            Name = name,
            Labels = new Dictionary<string, string> { [ServicePortTable.ServiceNameLabel] = service },
        },
        AddressType = "IPv4",
        Ports = ports,
        Endpoints = endpoints,
    };

    private static V1EndpointSlice NginxSlice(string service, string name) => Slice("default", service, name, [Port("", 80)],
        // Listed in the reverse of the sorted order, as a controller may write them.
        new V1Endpoint
        {
            Addresses = ["172.16.3.2"], NodeName = "192.168.0.203",
            Conditions = new V1EndpointConditions { Ready = true, Serving = true, Terminating = false },
        },
        new V1Endpoint
        {
            Addresses = ["172.16.1.2"], NodeName = "192.168.0.201",
            Conditions = new V1EndpointConditions { Ready = true, Serving = true, Terminating = false },
        });
}
