using System.Net;
using ARSoft.Tools.Net;

namespace Navarch.Dns;

/// <summary>How the cluster DNS server answers: its zone, TTL, where it listens and where other names go.</summary>
public sealed class ClusterDnsOptions
{
    /// <summary>The cluster domain (<c>--cluster-domain</c>), e.g. <c>cluster.local</c>.</summary>
    public string ClusterDomain { get; init; } = DefaultDomain;

    /// <summary>TTL of every record, and the SOA's minimum (CoreDNS's kubernetes plugin: <c>ttl</c>, default 5 s).</summary>
    public int Ttl { get; init; } = 5;

    /// <summary>Address the server listens on (UDP and TCP).</summary>
    public IPAddress Address { get; init; } = IPAddress.Loopback;

    /// <summary>Port the server listens on (UDP and TCP); 0 picks a free one.</summary>
    public int Port { get; init; } = 53;

    /// <summary>Resolvers for names outside the cluster zone (the node's, from /etc/resolv.conf).</summary>
    public IReadOnlyList<IPAddress> Upstreams { get; init; } = [];

    /// <summary>Longest a forwarded question may wait for the upstreams before the client gets SERVFAIL.</summary>
    public TimeSpan ForwardTimeout { get; init; } = TimeSpan.FromMilliseconds(1500);

    public const string DefaultDomain = "cluster.local";

    public DomainName Zone => DomainName.Parse(ClusterDomain.TrimEnd('.'));

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        var domain = ClusterDomain.TrimEnd('.');
        if (domain.Length == 0 || domain.Split('.').Any(l => l.Length is 0 or > 63 || l.Any(char.IsWhiteSpace)))
            throw new ArgumentException($"--cluster-domain: \"{ClusterDomain}\" is not a DNS domain");
        if (Port is < 0 or > 65535) throw new ArgumentException($"--cluster-dns-port: {Port} is not a port");
        if (Ttl is < 0 or > 3600) throw new ArgumentException($"cluster DNS TTL {Ttl} is outside 0..3600");
    }

    /// <summary>The <c>nameserver</c> addresses of a resolv.conf's text.</summary>
    public static IReadOnlyList<IPAddress> UpstreamsFrom(string resolvConf)
    {
        var servers = new List<IPAddress>();
        foreach (var raw in resolvConf.Split('\n'))
        {
            var fields = raw.Trim().Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length > 1 && fields[0] == "nameserver" && IPAddress.TryParse(fields[1], out var ip)) servers.Add(ip);
        }
        return servers;
    }
}
