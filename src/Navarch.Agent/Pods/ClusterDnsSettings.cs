using System.Net;

namespace Navarch.Agent.Pods;

/// <summary>
/// The cluster DNS the agent points pods at (kubelet's <c>--cluster-dns</c> and <c>--cluster-domain</c>): the
/// kube-dns Service's cluster IP(s) and the cluster domain.
/// </summary>
public sealed record ClusterDnsSettings(IReadOnlyList<string> Servers, string Domain)
{
    public const string DefaultDomain = "cluster.local";

    /// <summary>From the flags: a comma-separated list of IPs (empty: no cluster DNS) and the domain. Throws <see cref="ArgumentException"/> naming the flag.</summary>
    public static ClusterDnsSettings Parse(string? servers, string? domain)
    {
        var list = (servers ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
        foreach (var s in list)
            if (!IPAddress.TryParse(s, out _)) throw new ArgumentException($"--cluster-dns: \"{s}\" is not an IP address");
        var d = (domain ?? DefaultDomain).Trim().TrimEnd('.');
        if (d.Length == 0 || d.Split('.').Any(l => l.Length is 0 or > 63)) throw new ArgumentException($"--cluster-domain: \"{domain}\" is not a DNS domain");
        return new ClusterDnsSettings(list, d);
    }
}
