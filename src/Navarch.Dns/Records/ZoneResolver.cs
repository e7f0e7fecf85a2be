using System.Net;
using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;

namespace Navarch.Dns.Records;

/// <summary>
/// Answers questions about the cluster zone from a <see cref="ClusterIndex"/>; pure lookups, no I/O. Names that do not
/// exist get NXDOMAIN, names that exist without the asked type get NOERROR with no answer (NODATA); both carry the
/// zone's SOA in the authority section, as CoreDNS's kubernetes plugin does.
/// </summary>
public sealed class ZoneResolver(ClusterIndex index)
{
    /// <summary>The TXT answer of <c>dns-version.&lt;zone&gt;</c>: the specification's schema version.</summary>
    public const string SchemaVersion = "1.1.0";

    private static readonly DomainName Hostmaster = DomainName.Parse("hostmaster");
    private static readonly DomainName ReverseV4 = DomainName.Parse("in-addr.arpa");
    private static readonly DomainName ReverseV6 = DomainName.Parse("ip6.arpa");

    private readonly DomainName _zone = index.Zone;
    private readonly int _ttl = index.Ttl;
    private readonly DomainName _nameServer = new(["ns", "dns", .. index.Zone.Labels]);

    /// <summary>Where the server itself is reached (the kube-dns cluster IP), for <c>ns.dns.&lt;zone&gt;</c>.</summary>
    public IPAddress? NameServerAddress { get; set; }

    /// <summary>Whether the cluster zone answers <paramref name="name"/> (else it is forwarded upstream).</summary>
    public bool IsAuthoritativeFor(DomainName name) => name.IsEqualOrSubDomainOf(_zone);

    /// <summary>Whether <paramref name="name"/> is a reverse name of an address the cluster knows (a PTR it can answer).</summary>
    public bool KnowsPointer(DomainName name) => ReverseAddress(name) is { } ip && !index.FindPointers(ip).IsEmpty;

    /// <summary>The answer to a question inside the zone (or a known reverse name).</summary>
    public ZoneAnswer Answer(DomainName name, RecordType type)
    {
        if (!IsAuthoritativeFor(name) && ReverseAddress(name) is { } ip)
        {
            var pointers = index.FindPointers(ip);
            if (pointers.IsEmpty) return NxDomain();
            return type is RecordType.Ptr or RecordType.Any
                ? Records(pointers.Select(t => (DnsRecordBase)new PtrRecord(name, _ttl, t)).ToList())
                : NoData();
        }

        var labels = name.Labels;
        var relative = new string[labels.Length - _zone.LabelCount];
        for (var i = 0; i < relative.Length; i++) relative[i] = labels[i].ToLowerInvariant();
        return relative switch
        {
            [] => Apex(type),
            ["dns-version"] => type is RecordType.Txt or RecordType.Any
                ? Records([new TxtRecord(name, _ttl, SchemaVersion)])
                : NoData(),
            ["dns"] => NoData(),
            ["ns", "dns"] => NameServerAddress is null ? NxDomain()
                : Addresses(NameServerAddress, name, type),
            ["svc"] or ["pod"] => NoData(),
            [var ns, "svc" or "pod"] => index.HasNamespace(ns) ? NoData() : NxDomain(),
            [.. var below, var service, var ns, "svc"] => Service(ns, service, string.Join('.', below), type),
            [var pod, var ns, "pod"] => Pod(ns, pod, name, type),
            _ => NxDomain(),
        };
    }

    private ZoneAnswer Apex(RecordType type) => type switch
    {
        RecordType.Soa => Records([Soa()]),
        RecordType.Ns => new ZoneAnswer(ReturnCode.NoError, [new NsRecord(_zone, _ttl, _nameServer)], [],
            NameServerAddress is null ? [] : Addresses(NameServerAddress, _nameServer, RecordType.A).Answers),
        _ => NoData(),
    };

    private ZoneAnswer Service(string ns, string service, string below, RecordType type)
    {
        var records = index.FindService(ns, service);
        if (records is null) return NxDomain();
        var set = records.Find(below);
        if (set is null || set.IsEmpty) return records.HasChildrenOf(below) && below.Length > 0 ? NoData() : NxDomain();
        if (set.CName is { } cname && type is not RecordType.CName)
            return new ZoneAnswer(ReturnCode.NoError, [cname], [], [], cname.CanonicalName);
        return type switch
        {
            RecordType.A => set.A.Count > 0 ? Records(set.A) : NoData(),
            RecordType.Aaaa => set.Aaaa.Count > 0 ? Records(set.Aaaa) : NoData(),
            RecordType.Srv => set.Srv.Count > 0 ? new ZoneAnswer(ReturnCode.NoError, set.Srv, [], set.SrvAdditional) : NoData(),
            RecordType.CName => set.CName is { } c ? Records([c]) : NoData(),
            RecordType.Any => Records(set.All.ToList()),
            _ => NoData(),
        };
    }

    // a-b-c-d.<ns>.pod.<zone> answers a.b.c.d when a pod in <ns> has that address (CoreDNS's "pods verified").
    private ZoneAnswer Pod(string ns, string label, DomainName name, RecordType type)
    {
        if (!IPAddress.TryParse(label.Contains("--") || label.Count(c => c == '-') != 3 ? label.Replace('-', ':') : label.Replace('-', '.'), out var ip)
            || !index.HasPod(ns, ip))
            return NxDomain();
        return Addresses(ip, name, type);
    }

    private ZoneAnswer Addresses(IPAddress ip, DomainName name, RecordType type)
    {
        var v4 = ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork;
        return (type, v4) switch
        {
            (RecordType.A, true) or (RecordType.Any, true) => Records([new ARecord(name, _ttl, ip)]),
            (RecordType.Aaaa, false) or (RecordType.Any, false) => Records([new AaaaRecord(name, _ttl, ip)]),
            _ => NoData(),
        };
    }

    private SoaRecord Soa() =>
        // CoreDNS: TTL min(ttl, 300), refresh 7200, retry 1800, expire 86400, minimum = ttl.
        new(_zone, Math.Min(_ttl, 300), _nameServer, new DomainName([.. Hostmaster.Labels, .. _zone.Labels]),
            index.Serial, 7200, 1800, 86400, _ttl);

    private ZoneAnswer Records(IReadOnlyList<DnsRecordBase> answers) => new(ReturnCode.NoError, answers, [], []);

    private ZoneAnswer NoData() => new(ReturnCode.NoError, [], [Soa()], []);

    private ZoneAnswer NxDomain() => new(ReturnCode.NxDomain, [], [Soa()], []);

    /// <summary>The address a reverse name (<c>d.c.b.a.in-addr.arpa</c>, nibbles under <c>ip6.arpa</c>) stands for.</summary>
    public static IPAddress? ReverseAddress(DomainName name)
    {
        var labels = name.Labels;
        if (name.IsSubDomainOf(ReverseV4) && labels.Length == 6)
        {
            var bytes = new byte[4];
            for (var i = 0; i < 4; i++)
                if (!byte.TryParse(labels[3 - i], System.Globalization.NumberStyles.None, null, out bytes[i])) return null;
            return new IPAddress(bytes);
        }
        if (name.IsSubDomainOf(ReverseV6) && labels.Length == 34)
        {
            var bytes = new byte[16];
            for (var i = 0; i < 32; i++)
            {
                var label = labels[31 - i];
                if (label.Length != 1 || !Uri.IsHexDigit(label[0])) return null;
                var nibble = Convert.ToByte(label, 16);
                bytes[i / 2] |= (byte)(i % 2 == 0 ? nibble << 4 : nibble);
            }
            return new IPAddress(bytes);
        }
        return null;
    }
}
