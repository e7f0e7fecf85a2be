using ARSoft.Tools.Net.Dns;

namespace Navarch.Dns.Records;

/// <summary>What the cluster zone says to one question: a return code and the three record sections.</summary>
/// <param name="CNameTarget">For an ExternalName service asked for another type: the name the client is sent on to.</param>
public sealed record ZoneAnswer(
    ReturnCode Code,
    IReadOnlyList<DnsRecordBase> Answers,
    IReadOnlyList<DnsRecordBase> Authority,
    IReadOnlyList<DnsRecordBase> Additional,
    ARSoft.Tools.Net.DomainName? CNameTarget = null);
