using System.Net;
using Navarch.Proxy.Iptables;
using Navarch.Proxy.Tests.ChangeTracking;

namespace Navarch.Proxy.Tests.Iptables;

public class IptablesRulesTests
{
    private static readonly ProxyNode UpstreamNode = new("test-node", IPAddress.Parse("192.168.0.2"), IPNetwork.Parse("10.0.0.0/8"));

    [Fact]
    public void Seed_services_on_node_201_render_upstreams_rules()
    {
        var text = IptablesRules.Render(SeedCluster.Ports(), SeedCluster.Node201);

        Assert.Equal(
            """
            *filter
            :KUBE-SERVICES - [0:0]
            :KUBE-EXTERNAL-SERVICES - [0:0]
            :KUBE-FORWARD - [0:0]
            -A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP
            -A KUBE-FORWARD -m comment --comment "kubernetes forwarding rules" -m mark --mark 0x4000/0x4000 -j ACCEPT
            -A KUBE-FORWARD -m comment --comment "kubernetes forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
            COMMIT
            *nat
            :KUBE-SERVICES - [0:0]
            :KUBE-NODEPORTS - [0:0]
            :KUBE-POSTROUTING - [0:0]
            :KUBE-MARK-MASQ - [0:0]
            :KUBE-SVC-WYJJ2VXDLMF45L3M - [0:0]
            :KUBE-SEP-OZRTCBUGUKHCTGF2 - [0:0]
            :KUBE-SEP-V6PEITQDHP63FCWC - [0:0]
            :KUBE-EXT-SW7F3NCRFKRM23GY - [0:0]
            :KUBE-SVC-SW7F3NCRFKRM23GY - [0:0]
            :KUBE-SEP-VETPT2UZWR6U5YW4 - [0:0]
            :KUBE-SEP-QF4SYSV3MSZ7GZAY - [0:0]
            -A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN
            -A KUBE-POSTROUTING -j MARK --xor-mark 0x4000
            -A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully
            -A KUBE-MARK-MASQ -j MARK --or-mark 0x4000
            -A KUBE-SERVICES -m comment --comment "default/nginx-service-clusterip cluster IP" -m tcp -p tcp -d 192.168.3.91 --dport 8001 -j KUBE-SVC-WYJJ2VXDLMF45L3M
            -A KUBE-SVC-WYJJ2VXDLMF45L3M -m comment --comment "default/nginx-service-clusterip cluster IP" -m tcp -p tcp -d 192.168.3.91 --dport 8001 ! -s 172.16.0.0/16 -j KUBE-MARK-MASQ
            -A KUBE-SVC-WYJJ2VXDLMF45L3M -m comment --comment "default/nginx-service-clusterip -> 172.16.1.2:80" -m statistic --mode random --probability 0.5000000000 -j KUBE-SEP-OZRTCBUGUKHCTGF2
            -A KUBE-SVC-WYJJ2VXDLMF45L3M -m comment --comment "default/nginx-service-clusterip -> 172.16.3.2:80" -j KUBE-SEP-V6PEITQDHP63FCWC
            -A KUBE-SEP-OZRTCBUGUKHCTGF2 -m comment --comment default/nginx-service-clusterip -s 172.16.1.2 -j KUBE-MARK-MASQ
            -A KUBE-SEP-OZRTCBUGUKHCTGF2 -m comment --comment default/nginx-service-clusterip -m tcp -p tcp -j DNAT --to-destination 172.16.1.2:80
            -A KUBE-SEP-V6PEITQDHP63FCWC -m comment --comment default/nginx-service-clusterip -s 172.16.3.2 -j KUBE-MARK-MASQ
            -A KUBE-SEP-V6PEITQDHP63FCWC -m comment --comment default/nginx-service-clusterip -m tcp -p tcp -j DNAT --to-destination 172.16.3.2:80
            -A KUBE-SERVICES -m comment --comment "default/nginx-service-nodeport cluster IP" -m tcp -p tcp -d 192.168.3.84 --dport 8000 -j KUBE-SVC-SW7F3NCRFKRM23GY
            -A KUBE-NODEPORTS -m comment --comment default/nginx-service-nodeport -m tcp -p tcp --dport 32606 -j KUBE-EXT-SW7F3NCRFKRM23GY
            -A KUBE-SVC-SW7F3NCRFKRM23GY -m comment --comment "default/nginx-service-nodeport cluster IP" -m tcp -p tcp -d 192.168.3.84 --dport 8000 ! -s 172.16.0.0/16 -j KUBE-MARK-MASQ
            -A KUBE-EXT-SW7F3NCRFKRM23GY -m comment --comment "masquerade traffic for default/nginx-service-nodeport external destinations" -j KUBE-MARK-MASQ
            -A KUBE-EXT-SW7F3NCRFKRM23GY -j KUBE-SVC-SW7F3NCRFKRM23GY
            -A KUBE-SVC-SW7F3NCRFKRM23GY -m comment --comment "default/nginx-service-nodeport -> 172.16.1.2:80" -m statistic --mode random --probability 0.5000000000 -j KUBE-SEP-VETPT2UZWR6U5YW4
            -A KUBE-SVC-SW7F3NCRFKRM23GY -m comment --comment "default/nginx-service-nodeport -> 172.16.3.2:80" -j KUBE-SEP-QF4SYSV3MSZ7GZAY
            -A KUBE-SEP-VETPT2UZWR6U5YW4 -m comment --comment default/nginx-service-nodeport -s 172.16.1.2 -j KUBE-MARK-MASQ
            -A KUBE-SEP-VETPT2UZWR6U5YW4 -m comment --comment default/nginx-service-nodeport -m tcp -p tcp -j DNAT --to-destination 172.16.1.2:80
            -A KUBE-SEP-QF4SYSV3MSZ7GZAY -m comment --comment default/nginx-service-nodeport -s 172.16.3.2 -j KUBE-MARK-MASQ
            -A KUBE-SEP-QF4SYSV3MSZ7GZAY -m comment --comment default/nginx-service-nodeport -m tcp -p tcp -j DNAT --to-destination 172.16.3.2:80
            -A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS
            COMMIT

            """,
            text);
    }

    [Fact]
    public void Service_rules_are_upstreams_golden_lines()
    {
        // TestOverallIPTablesRulesWithMultipleServices in upstream pkg/proxy/iptables/proxier_test.go, restricted to what
        // a ServicePort carries (no external IPs, load balancers, source ranges or health-check node ports).
        ServicePort[] ports =
        [
            Port("ns1", "svc1", "p80", "172.30.0.41", endpoints: [Ep("10.180.0.1")]),
            Port("ns2", "svc2", "p80", "172.30.0.42", nodePort: 3001, local: true, endpoints: [Ep("10.180.0.2")]),
            Port("ns3", "svc3", "p80", "172.30.0.43", nodePort: 3003, endpoints: [Ep("10.180.0.3")]),
            Port("ns4", "svc4", "p80", "172.30.0.44", endpoints: [Ep("10.180.0.4"), Ep("10.180.0.5", node: "test-node")]),
            Port("ns6", "svc6", "p80", "172.30.0.46", endpoints: []),
        ];

        var text = IptablesRules.Render(ports, UpstreamNode);

        Assert.Equal(
            Sorted(
                """
                -A KUBE-SERVICES -m comment --comment "ns6/svc6:p80 has no endpoints" -m tcp -p tcp -d 172.30.0.46 --dport 80 -j REJECT
                -A KUBE-EXTERNAL-SERVICES -m comment --comment "ns2/svc2:p80 has no local endpoints" -m addrtype --dst-type LOCAL -m tcp -p tcp --dport 3001 -j DROP
                """),
            Sorted(ServiceRuleLines(Table(text, "filter"))));
        Assert.Equal(
            Sorted(
                """
                -A KUBE-NODEPORTS -m comment --comment ns2/svc2:p80 -m tcp -p tcp --dport 3001 -j KUBE-EXT-GNZBNJ2PO5MGZ6GT
                -A KUBE-NODEPORTS -m comment --comment ns3/svc3:p80 -m tcp -p tcp --dport 3003 -j KUBE-EXT-X27LE4BHSL4DOUIK
                -A KUBE-SERVICES -m comment --comment "ns1/svc1:p80 cluster IP" -m tcp -p tcp -d 172.30.0.41 --dport 80 -j KUBE-SVC-XPGD46QRK7WJZT7O
                -A KUBE-SERVICES -m comment --comment "ns2/svc2:p80 cluster IP" -m tcp -p tcp -d 172.30.0.42 --dport 80 -j KUBE-SVC-GNZBNJ2PO5MGZ6GT
                -A KUBE-SERVICES -m comment --comment "ns3/svc3:p80 cluster IP" -m tcp -p tcp -d 172.30.0.43 --dport 80 -j KUBE-SVC-X27LE4BHSL4DOUIK
                -A KUBE-SERVICES -m comment --comment "ns4/svc4:p80 cluster IP" -m tcp -p tcp -d 172.30.0.44 --dport 80 -j KUBE-SVC-4SW47YFZTEDKD3PK
                -A KUBE-EXT-GNZBNJ2PO5MGZ6GT -m comment --comment "pod traffic for ns2/svc2:p80 external destinations" -s 10.0.0.0/8 -j KUBE-SVC-GNZBNJ2PO5MGZ6GT
                -A KUBE-EXT-GNZBNJ2PO5MGZ6GT -m comment --comment "masquerade LOCAL traffic for ns2/svc2:p80 external destinations" -m addrtype --src-type LOCAL -j KUBE-MARK-MASQ
                -A KUBE-EXT-GNZBNJ2PO5MGZ6GT -m comment --comment "route LOCAL traffic for ns2/svc2:p80 external destinations" -m addrtype --src-type LOCAL -j KUBE-SVC-GNZBNJ2PO5MGZ6GT
                -A KUBE-EXT-X27LE4BHSL4DOUIK -m comment --comment "masquerade traffic for ns3/svc3:p80 external destinations" -j KUBE-MARK-MASQ
                -A KUBE-EXT-X27LE4BHSL4DOUIK -j KUBE-SVC-X27LE4BHSL4DOUIK
                -A KUBE-SEP-C6EBXVWJJZMIWKLZ -m comment --comment ns4/svc4:p80 -s 10.180.0.5 -j KUBE-MARK-MASQ
                -A KUBE-SEP-C6EBXVWJJZMIWKLZ -m comment --comment ns4/svc4:p80 -m tcp -p tcp -j DNAT --to-destination 10.180.0.5:80
                -A KUBE-SEP-OYPFS5VJICHGATKP -m comment --comment ns3/svc3:p80 -s 10.180.0.3 -j KUBE-MARK-MASQ
                -A KUBE-SEP-OYPFS5VJICHGATKP -m comment --comment ns3/svc3:p80 -m tcp -p tcp -j DNAT --to-destination 10.180.0.3:80
                -A KUBE-SEP-RS4RBKLTHTF2IUXJ -m comment --comment ns2/svc2:p80 -s 10.180.0.2 -j KUBE-MARK-MASQ
                -A KUBE-SEP-RS4RBKLTHTF2IUXJ -m comment --comment ns2/svc2:p80 -m tcp -p tcp -j DNAT --to-destination 10.180.0.2:80
                -A KUBE-SEP-SXIVWICOYRO3J4NJ -m comment --comment ns1/svc1:p80 -s 10.180.0.1 -j KUBE-MARK-MASQ
                -A KUBE-SEP-SXIVWICOYRO3J4NJ -m comment --comment ns1/svc1:p80 -m tcp -p tcp -j DNAT --to-destination 10.180.0.1:80
                -A KUBE-SEP-UKSFD7AGPMPPLUHC -m comment --comment ns4/svc4:p80 -s 10.180.0.4 -j KUBE-MARK-MASQ
                -A KUBE-SEP-UKSFD7AGPMPPLUHC -m comment --comment ns4/svc4:p80 -m tcp -p tcp -j DNAT --to-destination 10.180.0.4:80
                -A KUBE-SVC-4SW47YFZTEDKD3PK -m comment --comment "ns4/svc4:p80 cluster IP" -m tcp -p tcp -d 172.30.0.44 --dport 80 ! -s 10.0.0.0/8 -j KUBE-MARK-MASQ
                -A KUBE-SVC-4SW47YFZTEDKD3PK -m comment --comment "ns4/svc4:p80 -> 10.180.0.4:80" -m statistic --mode random --probability 0.5000000000 -j KUBE-SEP-UKSFD7AGPMPPLUHC
                -A KUBE-SVC-4SW47YFZTEDKD3PK -m comment --comment "ns4/svc4:p80 -> 10.180.0.5:80" -j KUBE-SEP-C6EBXVWJJZMIWKLZ
                -A KUBE-SVC-GNZBNJ2PO5MGZ6GT -m comment --comment "ns2/svc2:p80 cluster IP" -m tcp -p tcp -d 172.30.0.42 --dport 80 ! -s 10.0.0.0/8 -j KUBE-MARK-MASQ
                -A KUBE-SVC-GNZBNJ2PO5MGZ6GT -m comment --comment "ns2/svc2:p80 -> 10.180.0.2:80" -j KUBE-SEP-RS4RBKLTHTF2IUXJ
                -A KUBE-SVC-X27LE4BHSL4DOUIK -m comment --comment "ns3/svc3:p80 cluster IP" -m tcp -p tcp -d 172.30.0.43 --dport 80 ! -s 10.0.0.0/8 -j KUBE-MARK-MASQ
                -A KUBE-SVC-X27LE4BHSL4DOUIK -m comment --comment "ns3/svc3:p80 -> 10.180.0.3:80" -j KUBE-SEP-OYPFS5VJICHGATKP
                -A KUBE-SVC-XPGD46QRK7WJZT7O -m comment --comment "ns1/svc1:p80 cluster IP" -m tcp -p tcp -d 172.30.0.41 --dport 80 ! -s 10.0.0.0/8 -j KUBE-MARK-MASQ
                -A KUBE-SVC-XPGD46QRK7WJZT7O -m comment --comment "ns1/svc1:p80 -> 10.180.0.1:80" -j KUBE-SEP-SXIVWICOYRO3J4NJ
                """),
            Sorted(ServiceRuleLines(Table(text, "nat"))));
        AssertWellFormed(text);
    }

    [Fact]
    public void Local_policy_with_affinity_and_terminating_local_endpoints_matches_upstream()
    {
        // TestEndpointCommonTerminatingEndpoints' "only terminating endpoints exist" case in upstream proxier_test.go:
        // no local endpoint is ready, so Local traffic falls back to the local serving-terminating ones, while the
        // cluster-wide chain uses the one ready (remote) endpoint. The unnamed port hashes as "ns1/svc1", no colon.
        var port = Port("ns1", "svc1", "", "172.30.1.1", nodePort: 3001, local: true, affinity: true, endpoints:
        [
            Ep("10.0.1.2", node: "test-node", ready: false, serving: true, terminating: true),
            Ep("10.0.1.3", node: "test-node", ready: false, serving: true, terminating: true),
            Ep("10.0.1.4", node: "test-node", ready: false, serving: false, terminating: true),
            Ep("10.0.1.5", node: "host-1"),
        ]);

        var nat = Table(IptablesRules.Render([port], UpstreamNode), "nat");

        Assert.Equal(
            Sorted(
                """
                -A KUBE-NODEPORTS -m comment --comment ns1/svc1 -m tcp -p tcp --dport 3001 -j KUBE-EXT-AQI2S6QIMU7PVVRP
                -A KUBE-SERVICES -m comment --comment "ns1/svc1 cluster IP" -m tcp -p tcp -d 172.30.1.1 --dport 80 -j KUBE-SVC-AQI2S6QIMU7PVVRP
                -A KUBE-EXT-AQI2S6QIMU7PVVRP -m comment --comment "pod traffic for ns1/svc1 external destinations" -s 10.0.0.0/8 -j KUBE-SVC-AQI2S6QIMU7PVVRP
                -A KUBE-EXT-AQI2S6QIMU7PVVRP -m comment --comment "masquerade LOCAL traffic for ns1/svc1 external destinations" -m addrtype --src-type LOCAL -j KUBE-MARK-MASQ
                -A KUBE-EXT-AQI2S6QIMU7PVVRP -m comment --comment "route LOCAL traffic for ns1/svc1 external destinations" -m addrtype --src-type LOCAL -j KUBE-SVC-AQI2S6QIMU7PVVRP
                -A KUBE-EXT-AQI2S6QIMU7PVVRP -j KUBE-SVL-AQI2S6QIMU7PVVRP
                -A KUBE-SEP-EQCHZ7S2PJ72OHAY -m comment --comment ns1/svc1 -s 10.0.1.5 -j KUBE-MARK-MASQ
                -A KUBE-SEP-EQCHZ7S2PJ72OHAY -m comment --comment ns1/svc1 -m recent --name KUBE-SEP-EQCHZ7S2PJ72OHAY --set -m tcp -p tcp -j DNAT --to-destination 10.0.1.5:80
                -A KUBE-SEP-IO5XOSKPAXIFQXAJ -m comment --comment ns1/svc1 -s 10.0.1.2 -j KUBE-MARK-MASQ
                -A KUBE-SEP-IO5XOSKPAXIFQXAJ -m comment --comment ns1/svc1 -m recent --name KUBE-SEP-IO5XOSKPAXIFQXAJ --set -m tcp -p tcp -j DNAT --to-destination 10.0.1.2:80
                -A KUBE-SEP-XGJFVO3L2O5SRFNT -m comment --comment ns1/svc1 -s 10.0.1.3 -j KUBE-MARK-MASQ
                -A KUBE-SEP-XGJFVO3L2O5SRFNT -m comment --comment ns1/svc1 -m recent --name KUBE-SEP-XGJFVO3L2O5SRFNT --set -m tcp -p tcp -j DNAT --to-destination 10.0.1.3:80
                -A KUBE-SVC-AQI2S6QIMU7PVVRP -m comment --comment "ns1/svc1 cluster IP" -m tcp -p tcp -d 172.30.1.1 --dport 80 ! -s 10.0.0.0/8 -j KUBE-MARK-MASQ
                -A KUBE-SVC-AQI2S6QIMU7PVVRP -m comment --comment "ns1/svc1 -> 10.0.1.5:80" -m recent --name KUBE-SEP-EQCHZ7S2PJ72OHAY --rcheck --seconds 10800 --reap -j KUBE-SEP-EQCHZ7S2PJ72OHAY
                -A KUBE-SVC-AQI2S6QIMU7PVVRP -m comment --comment "ns1/svc1 -> 10.0.1.5:80" -j KUBE-SEP-EQCHZ7S2PJ72OHAY
                -A KUBE-SVL-AQI2S6QIMU7PVVRP -m comment --comment "ns1/svc1 -> 10.0.1.2:80" -m recent --name KUBE-SEP-IO5XOSKPAXIFQXAJ --rcheck --seconds 10800 --reap -j KUBE-SEP-IO5XOSKPAXIFQXAJ
                -A KUBE-SVL-AQI2S6QIMU7PVVRP -m comment --comment "ns1/svc1 -> 10.0.1.3:80" -m recent --name KUBE-SEP-XGJFVO3L2O5SRFNT --rcheck --seconds 10800 --reap -j KUBE-SEP-XGJFVO3L2O5SRFNT
                -A KUBE-SVL-AQI2S6QIMU7PVVRP -m comment --comment "ns1/svc1 -> 10.0.1.2:80" -m statistic --mode random --probability 0.5000000000 -j KUBE-SEP-IO5XOSKPAXIFQXAJ
                -A KUBE-SVL-AQI2S6QIMU7PVVRP -m comment --comment "ns1/svc1 -> 10.0.1.3:80" -j KUBE-SEP-XGJFVO3L2O5SRFNT
                """),
            Sorted(ServiceRuleLines(nat)));
        // Within a chain order matters: affinity checks come before the random choice.
        Assert.True(
            nat.FindIndex(l => l.Contains("-A KUBE-SVL-AQI2S6QIMU7PVVRP") && l.Contains("--rcheck")) <
            nat.FindIndex(l => l.Contains("-A KUBE-SVL-AQI2S6QIMU7PVVRP") && l.Contains("--probability")));
    }

    [Fact]
    public void A_service_without_endpoints_is_rejected_in_the_filter_table_and_gets_no_nat_chains()
    {
        var port = Port("default", "empty", "", "10.96.0.9", nodePort: 30009, endpoints: []);

        var text = IptablesRules.Render([port], SeedCluster.Node201);

        Assert.Equal(
            [
                "-A KUBE-SERVICES -m comment --comment \"default/empty has no endpoints\" -m tcp -p tcp -d 10.96.0.9 --dport 80 -j REJECT",
                "-A KUBE-EXTERNAL-SERVICES -m comment --comment \"default/empty has no endpoints\" -m addrtype --dst-type LOCAL -m tcp -p tcp --dport 30009 -j REJECT",
            ],
            ServiceRuleLines(Table(text, "filter")));
        Assert.Empty(ServiceRuleLines(Table(text, "nat")));
        Assert.Empty(IptablesRules.OwnedChains([port], SeedCluster.Node201));
    }

    [Fact]
    public void Endpoints_that_are_not_ready_get_no_chain()
    {
        var port = Port("default", "web", "http", "10.96.0.10", endpoints:
        [
            Ep("10.1.0.1"),
            Ep("10.1.0.2", ready: false, serving: false),
            Ep("10.1.0.3", ready: false, serving: true, terminating: true),
        ]);

        var nat = Table(IptablesRules.Render([port], SeedCluster.Node201), "nat");

        Assert.Contains(nat, l => l.EndsWith("--to-destination 10.1.0.1:80", StringComparison.Ordinal));
        Assert.DoesNotContain(nat, l => l.Contains("10.1.0.2") || l.Contains("10.1.0.3"));
        // A single usable endpoint: no statistic match, the jump always taken.
        Assert.Contains($"-A {ChainNames.ClusterPolicy(port)} -m comment --comment \"default/web:http -> 10.1.0.1:80\" -j {ChainNames.Endpoint(port, port.Endpoints[0])}", nat);
    }

    [Fact]
    public void With_no_ready_endpoint_traffic_goes_to_the_serving_terminating_ones()
    {
        var port = Port("default", "web", "", "10.96.0.10", endpoints:
        [
            Ep("10.1.0.2", ready: false, serving: false, terminating: true),
            Ep("10.1.0.3", ready: false, serving: true, terminating: true),
        ]);

        var text = IptablesRules.Render([port], SeedCluster.Node201);

        Assert.Empty(ServiceRuleLines(Table(text, "filter")));
        var nat = Table(text, "nat");
        Assert.Contains(nat, l => l.EndsWith("--to-destination 10.1.0.3:80", StringComparison.Ordinal));
        Assert.DoesNotContain(nat, l => l.Contains("10.1.0.2"));
    }

    [Fact]
    public void Each_port_of_a_multi_port_service_gets_its_own_chains_and_even_odds()
    {
        ServiceEndpoint[] pods = [Ep("10.1.0.1"), Ep("10.1.0.2"), Ep("10.1.0.3")];
        var http = Port("shop", "web", "http", "10.96.0.20", endpoints: pods);
        var https = Port("shop", "web", "https", "10.96.0.20", port: 443, endpoints: pods.Select(e => e with { Port = 8443 }).ToArray());

        var nat = Table(IptablesRules.Render([https, http], SeedCluster.Node201), "nat");

        Assert.NotEqual(ChainNames.ClusterPolicy(http), ChainNames.ClusterPolicy(https));
        Assert.NotEqual(ChainNames.Endpoint(http, http.Endpoints[0]), ChainNames.Endpoint(https, https.Endpoints[0]));
        // 1/3 of all, then 1/2 of the rest, then the rest: each endpoint gets a third.
        Assert.Equal(
            [
                $"-A {ChainNames.ClusterPolicy(http)} -m comment --comment \"shop/web:http -> 10.1.0.1:80\" -m statistic --mode random --probability 0.3333333333 -j {ChainNames.Endpoint(http, http.Endpoints[0])}",
                $"-A {ChainNames.ClusterPolicy(http)} -m comment --comment \"shop/web:http -> 10.1.0.2:80\" -m statistic --mode random --probability 0.5000000000 -j {ChainNames.Endpoint(http, http.Endpoints[1])}",
                $"-A {ChainNames.ClusterPolicy(http)} -m comment --comment \"shop/web:http -> 10.1.0.3:80\" -j {ChainNames.Endpoint(http, http.Endpoints[2])}",
            ],
            nat.Where(l => l.StartsWith($"-A {ChainNames.ClusterPolicy(http)} ", StringComparison.Ordinal) && l.Contains(" -> ")));
        Assert.Contains("-A KUBE-SERVICES -m comment --comment \"shop/web:https cluster IP\" -m tcp -p tcp -d 10.96.0.20 --dport 443 -j " + ChainNames.ClusterPolicy(https), nat);
        // Rules follow port-name order whatever the input order.
        Assert.True(nat.FindIndex(l => l.Contains("shop/web:http cluster IP")) < nat.FindIndex(l => l.Contains("shop/web:https cluster IP")));
    }

    [Fact]
    public void Udp_ports_use_the_udp_match()
    {
        var port = Port("kube-system", "dns", "dns", "10.96.0.10", port: 53, protocol: "UDP", endpoints: [Ep("10.1.0.5", port: 53)]);

        var nat = Table(IptablesRules.Render([port], SeedCluster.Node201), "nat");

        Assert.Contains($"-A KUBE-SERVICES -m comment --comment \"kube-system/dns:dns cluster IP\" -m udp -p udp -d 10.96.0.10 --dport 53 -j {ChainNames.ClusterPolicy(port)}", nat);
        Assert.Contains(nat, l => l.EndsWith("-m udp -p udp -j DNAT --to-destination 10.1.0.5:53", StringComparison.Ordinal));
    }

    [Fact]
    public void Affinity_uses_the_services_timeout()
    {
        var port = Port("default", "sticky", "", "10.96.0.11", affinity: true, affinitySeconds: 60, endpoints: [Ep("10.1.0.1")]);
        var sep = ChainNames.Endpoint(port, port.Endpoints[0]);

        var nat = Table(IptablesRules.Render([port], SeedCluster.Node201), "nat");

        Assert.Contains($"-A {ChainNames.ClusterPolicy(port)} -m comment --comment \"default/sticky -> 10.1.0.1:80\" -m recent --name {sep} --rcheck --seconds 60 --reap -j {sep}", nat);
        Assert.Contains($"-A {sep} -m comment --comment default/sticky -m recent --name {sep} --set -m tcp -p tcp -j DNAT --to-destination 10.1.0.1:80", nat);
    }

    [Fact]
    public void Without_a_cluster_cidr_cluster_ip_traffic_is_not_masqueraded()
    {
        var node = SeedCluster.Node201 with { ClusterCidr = null };

        var nat = Table(IptablesRules.Render(SeedCluster.Ports(), node), "nat");

        Assert.DoesNotContain(nat, l => l.Contains("! -s"));
        Assert.Contains(nat, l => l.Contains("masquerade traffic for default/nginx-service-nodeport external destinations"));
    }

    [Fact]
    public void Chains_written_before_and_gone_now_are_flushed_and_deleted()
    {
        var ports = SeedCluster.Ports();
        var current = IptablesRules.OwnedChains(ports, SeedCluster.Node201);
        string[] previous = [.. current, "KUBE-SVC-OLDOLDOLDOLDOLD1", "KUBE-SEP-OLDOLDOLDOLDOLD2", "KUBE-SERVICES", "MY-OWN-CHAIN"];

        var nat = Table(IptablesRules.Render(ports, SeedCluster.Node201, previous), "nat");

        Assert.Equal(["-X KUBE-SEP-OLDOLDOLDOLDOLD2", "-X KUBE-SVC-OLDOLDOLDOLDOLD1"], nat.Where(l => l.StartsWith("-X", StringComparison.Ordinal)));
        Assert.Contains(":KUBE-SVC-OLDOLDOLDOLDOLD1 - [0:0]", nat);
        Assert.Contains(":KUBE-SEP-OLDOLDOLDOLDOLD2 - [0:0]", nat);
        Assert.DoesNotContain(nat, l => l.Contains("MY-OWN-CHAIN"));
        Assert.Single(nat, ":KUBE-SERVICES - [0:0]");
        AssertWellFormed(IptablesRules.Render(ports, SeedCluster.Node201, previous));
    }

    [Fact]
    public void Owned_chains_are_exactly_the_per_service_chains_declared()
    {
        var ports = SeedCluster.Ports();

        var declared = Table(IptablesRules.Render(ports, SeedCluster.Node201), "nat")
            .Where(l => l.StartsWith(':'))
            .Select(l => l[1..l.IndexOf(' ')])
            .Where(ChainNames.IsServiceChain);

        Assert.Equal(declared, IptablesRules.OwnedChains(ports, SeedCluster.Node201));
        Assert.Equal(7, IptablesRules.OwnedChains(ports, SeedCluster.Node201).Count);
    }

    [Fact]
    public void The_same_state_renders_the_same_text_whatever_the_order()
    {
        var ports = SeedCluster.Ports();
        var shuffled = ports.Reverse().Select(p => p with { Endpoints = p.Endpoints.Reverse().ToList() }).ToList();

        var first = IptablesRules.Render(ports, SeedCluster.Node201);

        Assert.Equal(first, IptablesRules.Render(ports, SeedCluster.Node201));
        Assert.Equal(first, IptablesRules.Render(shuffled, SeedCluster.Node201));
    }

    [Fact]
    public void Jumps_are_upstreams()
    {
        Assert.Equal(
            [
                "filter INPUT -m conntrack --ctstate NEW -m comment --comment kubernetes externally-visible service portals -j KUBE-EXTERNAL-SERVICES",
                "filter FORWARD -m conntrack --ctstate NEW -m comment --comment kubernetes externally-visible service portals -j KUBE-EXTERNAL-SERVICES",
                "filter FORWARD -m conntrack --ctstate NEW -m comment --comment kubernetes service portals -j KUBE-SERVICES",
                "filter OUTPUT -m conntrack --ctstate NEW -m comment --comment kubernetes service portals -j KUBE-SERVICES",
                "filter FORWARD -m comment --comment kubernetes forwarding rules -j KUBE-FORWARD",
                "nat OUTPUT -m comment --comment kubernetes service portals -j KUBE-SERVICES",
                "nat PREROUTING -m comment --comment kubernetes service portals -j KUBE-SERVICES",
                "nat POSTROUTING -m comment --comment kubernetes postrouting rules -j KUBE-POSTROUTING",
            ],
            IptablesRules.Jumps.Select(j => $"{j.Table} {j.Chain} {string.Join(' ', j.Rule)}"));
        Assert.All(IptablesRules.Jumps, j => Assert.True(j.Prepend));
        // The comment is one argv word, unquoted: the caller execs iptables without a shell.
        Assert.Contains("kubernetes service portals", IptablesRules.Jumps[5].Rule);
    }

    [Fact]
    public void Cleanup_deletes_the_top_level_chains_and_the_service_chains_found()
    {
        var text = IptablesRules.RenderCleanup(["PREROUTING", "KUBE-SERVICES", "KUBE-SVC-WYJJ2VXDLMF45L3M", "KUBE-SEP-OZRTCBUGUKHCTGF2", "DOCKER"]);

        Assert.Equal(
            """
            *filter
            :KUBE-SERVICES - [0:0]
            :KUBE-EXTERNAL-SERVICES - [0:0]
            :KUBE-FORWARD - [0:0]
            -X KUBE-SERVICES
            -X KUBE-EXTERNAL-SERVICES
            -X KUBE-FORWARD
            COMMIT
            *nat
            :KUBE-SERVICES - [0:0]
            :KUBE-NODEPORTS - [0:0]
            :KUBE-POSTROUTING - [0:0]
            :KUBE-MARK-MASQ - [0:0]
            :KUBE-SEP-OZRTCBUGUKHCTGF2 - [0:0]
            :KUBE-SVC-WYJJ2VXDLMF45L3M - [0:0]
            -X KUBE-SERVICES
            -X KUBE-NODEPORTS
            -X KUBE-POSTROUTING
            -X KUBE-MARK-MASQ
            -X KUBE-SEP-OZRTCBUGUKHCTGF2
            -X KUBE-SVC-WYJJ2VXDLMF45L3M
            COMMIT

            """,
            text);
    }

    [Theory]
    [InlineData(2, "0.5000000000")]
    [InlineData(3, "0.3333333333")]
    [InlineData(4, "0.2500000000")]
    [InlineData(6, "0.1666666667")]
    [InlineData(7, "0.1428571429")]
    [InlineData(1000, "0.0010000000")]
    public void Probabilities_are_formatted_as_go_formats_0_10f(int n, string expected)
    {
        Assert.Equal(expected, IptablesRules.Probability(n));
    }

    [Theory]
    [InlineData("ns1/svc1:p80", "ns1/svc1:p80")]
    [InlineData("ns1/svc1:p80 cluster IP", "\"ns1/svc1:p80 cluster IP\"")]
    [InlineData("a \"b\" \\c", "\"a \\\"b\\\" \\\\c\"")]
    public void Comments_are_bare_words_or_double_quoted(string comment, string expected)
    {
        Assert.Equal(expected, IptablesRules.Comment(comment));
    }

    /// <summary>
    /// Derived by hand, independently of the code: the input is upstream's servicePortName plus the lower-case
    /// protocol, "default/nginx-service-nodeport" + "tcp" (the seed's port is unnamed, so no ":port"), then
    /// <c>printf 'default/nginx-service-nodeporttcp' | sha256sum | xxd -r -p | base32 | cut -c1-16</c> gives
    /// SW7F3NCRFKRM23GY. The same pipeline on 'ns1/svc1:p80tcp' gives XPGD46QRK7WJZT7O and on
    /// 'ns1/svc1:p80tcp10.180.0.1:80' gives SXIVWICOYRO3J4NJ, the names in upstream's proxier_test.go golden output.
    /// </summary>
    [Fact]
    public void Chain_names_hash_the_service_port_name_and_protocol_as_upstream()
    {
        var seed = SeedCluster.Ports().Single(p => p.Service == "nginx-service-nodeport");
        var upstream = Port("ns1", "svc1", "p80", "172.30.0.41", endpoints: [Ep("10.180.0.1")]);

        Assert.Equal("KUBE-SVC-SW7F3NCRFKRM23GY", ChainNames.ClusterPolicy(seed));
        Assert.Equal("KUBE-EXT-SW7F3NCRFKRM23GY", ChainNames.External(seed));
        Assert.Equal("KUBE-SVL-SW7F3NCRFKRM23GY", ChainNames.LocalPolicy(seed));
        Assert.Equal("KUBE-SVC-XPGD46QRK7WJZT7O", ChainNames.ClusterPolicy(upstream));
        Assert.Equal("KUBE-SEP-SXIVWICOYRO3J4NJ", ChainNames.Endpoint(upstream, upstream.Endpoints[0]));
        Assert.Equal("default/nginx-service-nodeport", ChainNames.PortName(seed));
        Assert.Equal("ns1/svc1:p80", ChainNames.PortName(upstream));
        Assert.All([ChainNames.ClusterPolicy(seed), ChainNames.Endpoint(upstream, upstream.Endpoints[0])], c => Assert.True(c.Length <= 28));
    }

    [Theory]
    [InlineData("KUBE-SVC-XPGD46QRK7WJZT7O", true)]
    [InlineData("KUBE-SVL-XPGD46QRK7WJZT7O", true)]
    [InlineData("KUBE-EXT-XPGD46QRK7WJZT7O", true)]
    [InlineData("KUBE-FW-XPGD46QRK7WJZT7O", true)]
    [InlineData("KUBE-SEP-SXIVWICOYRO3J4NJ", true)]
    [InlineData("KUBE-SERVICES", false)]
    [InlineData("KUBE-PORTALS-HOST", false)]
    [InlineData("DOCKER", false)]
    public void Service_chains_are_told_by_prefix(string chain, bool expected)
    {
        Assert.Equal(expected, ChainNames.IsServiceChain(chain));
    }

    private static ServicePort Port(
        string ns, string service, string portName, string clusterIp, int port = 80, string protocol = "TCP", int nodePort = 0,
        bool local = false, bool affinity = false, int affinitySeconds = 10800, ServiceEndpoint[]? endpoints = null) =>
        new(ns, service, portName, protocol, IPAddress.Parse(clusterIp), port, nodePort, affinity, affinitySeconds, local, endpoints ?? []);

    private static ServiceEndpoint Ep(
        string ip, int port = 80, string? node = null, bool ready = true, bool? serving = null, bool terminating = false) =>
        new(IPAddress.Parse(ip), port, ready, serving ?? ready, terminating, node);

    /// <summary>The lines of one table's section, from <c>*table</c> to <c>COMMIT</c>.</summary>
    private static List<string> Table(string text, string table)
    {
        var lines = text.Split('\n');
        var start = Array.IndexOf(lines, "*" + table);
        Assert.True(start >= 0, $"no *{table} section");
        var end = Array.IndexOf(lines, "COMMIT", start);
        return lines[start..(end + 1)].ToList();
    }

    // The rules that depend on the services: all but the fixed ones every render writes.
    private static List<string> ServiceRuleLines(List<string> table) => table
        .Where(l => l.StartsWith("-A ", StringComparison.Ordinal))
        .Where(l => !l.StartsWith("-A KUBE-POSTROUTING", StringComparison.Ordinal)
            && !l.StartsWith("-A KUBE-MARK-MASQ", StringComparison.Ordinal)
            && !l.StartsWith("-A KUBE-FORWARD", StringComparison.Ordinal)
            && !l.Contains("kubernetes service nodeports; NOTE"))
        .ToList();

    private static List<string> Sorted(string lines) => Sorted(lines.Split('\n').ToList());

    private static List<string> Sorted(List<string> lines) => lines.Order(StringComparer.Ordinal).ToList();

    /// <summary>
    /// What iptables-restore insists on: every chain appended to or deleted is declared in its table first, and every
    /// jump goes to a declared chain or a built-in target.
    /// </summary>
    private static void AssertWellFormed(string text)
    {
        string[] targets = ["RETURN", "MARK", "MASQUERADE", "DNAT", "REJECT", "DROP", "ACCEPT"];
        foreach (var table in new[] { "filter", "nat" })
        {
            var lines = Table(text, table);
            var declared = lines.Where(l => l.StartsWith(':')).Select(l => l[1..l.IndexOf(' ')]).ToHashSet();
            var firstRule = lines.FindIndex(l => l.StartsWith('-'));
            Assert.True(firstRule < 0 || lines.Skip(firstRule).All(l => !l.StartsWith(':')), $"{table}: a chain is declared after a rule");
            foreach (var line in lines.Where(l => l.StartsWith('-')))
            {
                var words = line.Split(' ');
                Assert.Contains(words[1], declared);
                var jump = Array.IndexOf(words, "-j");
                if (jump >= 0) Assert.True(declared.Contains(words[jump + 1]) || targets.Contains(words[jump + 1]), line);
            }
        }
    }
}
