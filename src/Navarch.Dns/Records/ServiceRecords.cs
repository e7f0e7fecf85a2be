using System.Net;
using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;

namespace Navarch.Dns.Records;

/// <summary>The records under one name: what a question of each type gets.</summary>
public sealed class RecordSet
{
    public List<DnsRecordBase> A { get; } = [];
    public List<DnsRecordBase> Aaaa { get; } = [];
    public List<DnsRecordBase> Srv { get; } = [];
    /// <summary>The A/AAAA records of the SRV targets, for the additional section.</summary>
    public List<DnsRecordBase> SrvAdditional { get; } = [];
    public CNameRecord? CName { get; set; }

    public bool IsEmpty => A.Count == 0 && Aaaa.Count == 0 && Srv.Count == 0 && CName is null;

    public IEnumerable<DnsRecordBase> All => A.Concat(Aaaa).Concat(Srv).Concat(CName is null ? [] : [CName]);
}

/// <summary>
/// Every record one Service owns, built once per change (so a question is a dictionary lookup): its name, the
/// hostnames of its ready endpoints, its named ports' SRV names, and the PTR targets of its addresses. Immutable.
/// </summary>
public sealed class ServiceRecords
{
    private readonly Dictionary<string, RecordSet> _names;

    internal ServiceRecords(string ns, string name, Dictionary<string, RecordSet> names,
        IReadOnlyList<(IPAddress Address, DomainName Target)> pointers)
    {
        Namespace = ns;
        Name = name;
        _names = names;
        Pointers = pointers;
    }

    public string Namespace { get; }
    public string Name { get; }

    /// <summary>PTR records this service contributes: its cluster IPs, and its ready endpoints when headless.</summary>
    public IReadOnlyList<(IPAddress Address, DomainName Target)> Pointers { get; }

    /// <summary>
    /// The records of the name <paramref name="relative"/> below <c>svc.ns.svc.zone</c> ("" for the service's own name,
    /// "host", "_port._proto"), lower case. Null when the name does not exist.
    /// </summary>
    public RecordSet? Find(string relative) => _names.GetValueOrDefault(relative);

    /// <summary>Whether <paramref name="relative"/> names an empty non-terminal (e.g. <c>_tcp</c> of <c>_http._tcp</c>).</summary>
    public bool HasChildrenOf(string relative) =>
        _names.Keys.Any(k => k.EndsWith("." + relative, StringComparison.Ordinal));
}
