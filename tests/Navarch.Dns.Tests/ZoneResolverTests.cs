using System.Net;
using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;
using k8s.Models;
using Navarch.Dns.Hosting;
using Navarch.Dns.Records;

namespace Navarch.Dns.Tests;

/// <summary>The zone's answers from an index fed objects directly: no server, no network.</summary>
[Trait("Category", "Unit")]
public sealed class ZoneResolverTests
{
    private readonly ClusterIndex _index = new(DomainName.Parse("cluster.local"), 5);
    private ZoneResolver Zone => new(_index);

    private ZoneAnswer Ask(string name, RecordType type = RecordType.A) => Zone.Answer(DomainName.Parse(name), type);

    [Fact]
    public void ClusterIpServiceAnswersAWithTheDefaultTtl()
    {
        _index.SetService(Service("web", "10.96.0.20", ("http", 80)));
        var answer = Ask("web.default.svc.cluster.local");
        Assert.Equal(ReturnCode.NoError, answer.Code);
        var a = Assert.IsType<ARecord>(Assert.Single(answer.Answers));
        Assert.Equal(IPAddress.Parse("10.96.0.20"), a.Address);
        Assert.Equal(5, a.TimeToLive);
    }

    [Fact]
    public void Ipv6ClusterIpAnswersAaaaAndNodataForA()
    {
        _index.SetService(Service("v6", "fd00::20", ("http", 80)));
        Assert.IsType<AaaaRecord>(Assert.Single(Ask("v6.default.svc.cluster.local", RecordType.Aaaa).Answers));
        var a = Ask("v6.default.svc.cluster.local");
        Assert.Equal(ReturnCode.NoError, a.Code);
        Assert.Empty(a.Answers);
        Assert.IsType<SoaRecord>(Assert.Single(a.Authority));
        var ptr = Ask("0.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f.ip6.arpa", RecordType.Ptr);
        Assert.Equal("v6.default.svc.cluster.local.", Assert.IsType<PtrRecord>(Assert.Single(ptr.Answers)).PointerDomainName.ToString());
    }

    [Fact]
    public void NxdomainAndNodataCarryTheSoaOfCoreDns()
    {
        var nx = Ask("nothing.default.svc.cluster.local");
        Assert.Equal(ReturnCode.NxDomain, nx.Code);
        var soa = Assert.IsType<SoaRecord>(Assert.Single(nx.Authority));
        Assert.Equal(("ns.dns.cluster.local.", "hostmaster.cluster.local.", 7200, 1800, 86400, 5, 5),
            (soa.MasterName.ToString(), soa.ResponsibleName.ToString(), soa.RefreshInterval, soa.RetryInterval, soa.ExpireInterval, soa.NegativeCachingTTL, soa.TimeToLive));
    }

    [Fact]
    public void DeletingTheServiceRemovesItsNameAndPointer()
    {
        var svc = Service("gone", "10.96.0.30", ("http", 80));
        _index.SetService(svc);
        _index.RemoveService(svc);
        Assert.Equal(ReturnCode.NxDomain, Ask("gone.default.svc.cluster.local").Code);
        Assert.False(Zone.KnowsPointer(DomainName.Parse("30.0.96.10.in-addr.arpa")));
    }

    [Fact]
    public void HeadlessServiceWithoutReadyEndpointsIsNxdomain()
    {
        _index.SetService(Service("h", "None", ("http", 80)));
        _index.SetSlice(Slice("h", ("10.1.0.1", null, false)));
        Assert.Equal(ReturnCode.NxDomain, Ask("h.default.svc.cluster.local").Code);
    }

    [Fact]
    public void PublishNotReadyAddressesCountsEveryEndpoint()
    {
        var svc = Service("h", "None", ("http", 80));
        svc.Spec.PublishNotReadyAddresses = true;
        _index.SetService(svc);
        _index.SetSlice(Slice("h", ("10.1.0.1", null, false), ("10.1.0.2", "pet", true)));
        Assert.Equal(2, Ask("h.default.svc.cluster.local").Answers.Count);
        Assert.Single(Ask("pet.h.default.svc.cluster.local").Answers);
        Assert.Equal(2, Ask("_http._tcp.h.default.svc.cluster.local", RecordType.Srv).Answers.Count);
    }

    [Fact]
    public void SliceBeforeServiceIsJoinedWhenTheServiceArrives()
    {
        _index.SetSlice(Slice("late", ("10.1.0.9", null, true)));
        Assert.Equal(ReturnCode.NxDomain, Ask("late.default.svc.cluster.local").Code);
        _index.SetService(Service("late", "None", ("http", 80)));
        Assert.Single(Ask("late.default.svc.cluster.local").Answers);
    }

    [Fact]
    public void ExternalNameAnswersCnameForEveryType()
    {
        _index.SetService(new V1Service
        {
            Metadata = new V1ObjectMeta { Name = "ext", NamespaceProperty = "default" },
            Spec = new V1ServiceSpec { Type = "ExternalName", ExternalName = "db.example.org" },
        });
        var answer = Ask("ext.default.svc.cluster.local", RecordType.Aaaa);
        Assert.Equal("db.example.org.", Assert.IsType<CNameRecord>(Assert.Single(answer.Answers)).CanonicalName.ToString());
        Assert.Equal("db.example.org.", answer.CNameTarget?.ToString());
    }

    [Theory]
    [InlineData("cluster.local", RecordType.A, ReturnCode.NoError, 0)]
    [InlineData("svc.cluster.local", RecordType.A, ReturnCode.NoError, 0)]
    [InlineData("pod.cluster.local", RecordType.A, ReturnCode.NoError, 0)]
    [InlineData("nope.cluster.local", RecordType.A, ReturnCode.NxDomain, 0)]
    [InlineData("dns-version.cluster.local", RecordType.Txt, ReturnCode.NoError, 1)]
    [InlineData("dns-version.cluster.local", RecordType.A, ReturnCode.NoError, 0)]
    [InlineData("a.b.c.web.default.svc.cluster.local", RecordType.A, ReturnCode.NxDomain, 0)]
    public void NamesOfTheZoneItself(string name, RecordType type, ReturnCode code, int answers)
    {
        var answer = Ask(name, type);
        Assert.Equal((code, answers), (answer.Code, answer.Answers.Count));
    }

    [Fact]
    public void PodRecordsNeedAPodWithThatAddressInTheNamespace()
    {
        var pod = new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "p", NamespaceProperty = "prod", Uid = "u1" },
            Status = new V1PodStatus { PodIP = "10.244.1.5", PodIPs = [new V1PodIP { Ip = "10.244.1.5" }] },
        };
        _index.SetPod(pod);
        Assert.Single(Ask("10-244-1-5.prod.pod.cluster.local").Answers);
        Assert.Equal(ReturnCode.NxDomain, Ask("10-244-1-5.default.pod.cluster.local").Code);
        Assert.Equal(ReturnCode.NoError, Ask("prod.pod.cluster.local").Code);
        _index.RemovePod(pod);
        Assert.Equal(ReturnCode.NxDomain, Ask("10-244-1-5.prod.pod.cluster.local").Code);
    }

    [Theory]
    [InlineData("10.96.0.0/12", "10.96.0.10")]
    [InlineData("192.168.3.0/24", "192.168.3.10")]
    [InlineData("10.0.0.250/24", "10.0.0.10")]
    public void KubeDnsTakesTheRangesTenthAddress(string range, string expected) =>
        Assert.Equal(IPAddress.Parse(expected), KubeDnsService.ClusterIpFor(range));

    [Fact]
    public void UpstreamsComeFromResolvConfNameservers() =>
        Assert.Equal([IPAddress.Parse("10.0.0.2"), IPAddress.Parse("fd00::53")],
            ClusterDnsOptions.UpstreamsFrom("# comment\nsearch example.org\nnameserver 10.0.0.2\nnameserver fd00::53\nnameserver bogus\n"));

    private static V1Service Service(string name, string clusterIp, params (string Name, int Port)[] ports) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "default" },
        Spec = new V1ServiceSpec
        {
            ClusterIP = clusterIp,
            ClusterIPs = [clusterIp],
            Ports = ports.Select(p => new V1ServicePort { Name = p.Name, Port = p.Port, Protocol = "TCP" }).ToList(),
        },
    };

    private static V1EndpointSlice Slice(string service, params (string Ip, string? Hostname, bool Ready)[] endpoints) => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = service + "-abc",
            NamespaceProperty = "default",
            Labels = new Dictionary<string, string> { [ClusterIndex.ServiceNameLabel] = service },
        },
        AddressType = "IPv4",
        Endpoints = endpoints.Select(e => new V1Endpoint { Addresses = [e.Ip], Hostname = e.Hostname, Conditions = new V1EndpointConditions { Ready = e.Ready } }).ToList(),
        Ports = [new Discoveryv1EndpointPort { Name = "http", Port = 80, Protocol = "TCP" }],
    };
}
