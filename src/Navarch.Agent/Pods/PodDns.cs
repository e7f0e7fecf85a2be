using k8s.Models;
using Navarch.Cri;

namespace Navarch.Agent.Pods;

/// <summary>
/// A pod's resolv.conf from its dnsPolicy, as the kubelet's (pkg/kubelet/network/dns): ClusterFirst (unless on the
/// host's network) and ClusterFirstWithHostNet take the cluster DNS servers, the search path
/// <c>NS.svc.DOMAIN svc.DOMAIN DOMAIN</c> before the node's and <c>ndots:5</c>; Default (and ClusterFirst when the
/// agent knows no cluster DNS) take the node's; None takes only <c>spec.dnsConfig</c>; dnsConfig's servers, searches
/// and options are merged in as upstream does. The runtime writes the result as the sandbox's /etc/resolv.conf.
/// </summary>
public static class PodDns
{
    /// <summary>Parses resolv.conf text into servers, search domains and options.</summary>
    public static DnsSpec ParseResolvConf(string text)
    {
        var servers = new List<string>();
        var searches = new List<string>();
        var options = new List<string>();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] is '#' or ';') continue;
            var fields = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            switch (fields[0])
            {
                case "nameserver" when fields.Length > 1: servers.Add(fields[1]); break;
                case "search": searches.Clear(); searches.AddRange(fields.Skip(1)); break;
                case "domain" when fields.Length > 1 && searches.Count == 0: searches.Add(fields[1]); break;
                case "options": options.AddRange(fields.Skip(1)); break;
            }
        }
        return new DnsSpec(servers, searches, options);
    }

    /// <summary>The pod's DNS from its policy and dnsConfig, the node's resolv.conf and the cluster DNS (if any).</summary>
    public static DnsSpec For(V1Pod pod, DnsSpec node, ClusterDnsSettings? cluster)
    {
        var spec = pod.Spec;
        var policy = spec.DnsPolicy ?? "ClusterFirst";
        var clusterFirst = policy == "ClusterFirstWithHostNet" || (policy == "ClusterFirst" && spec.HostNetwork != true);
        if (policy == "None" || !clusterFirst || cluster is not { Servers.Count: > 0 }) return For(spec, node);
        var ns = pod.Metadata.NamespaceProperty ?? "default";
        var d = cluster.Domain;
        var baseline = new DnsSpec(cluster.Servers, [.. new[] { $"{ns}.svc.{d}", $"svc.{d}", d }.Concat(node.Searches).Distinct()], ["ndots:5"]);
        return Merge(baseline, spec.DnsConfig);
    }

    /// <summary>The pod's DNS from <paramref name="node"/> (the node's resolv.conf) and the pod's policy and dnsConfig, without cluster DNS.</summary>
    public static DnsSpec For(V1PodSpec spec, DnsSpec node) =>
        Merge(spec.DnsPolicy == "None" ? new DnsSpec([], [], []) : node, spec.DnsConfig);

    private static DnsSpec Merge(DnsSpec baseline, V1PodDNSConfig? extra)
    {
        if (extra is null) return baseline;
        var servers = baseline.Servers.Concat(extra.Nameservers ?? []).Distinct().Take(3).ToList();
        var searches = baseline.Searches.Concat(extra.Searches ?? []).Distinct().Take(32).ToList();
        // An option from dnsConfig replaces the node's option of the same name (ndots:5 over ndots:1).
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var o in baseline.Options)
        {
            var colon = o.IndexOf(':');
            options[colon < 0 ? o : o[..colon]] = o;
        }
        foreach (var o in extra.Options ?? [])
            options[o.Name] = string.IsNullOrEmpty(o.Value) ? o.Name : $"{o.Name}:{o.Value}";
        return new DnsSpec(servers, searches, options.Values.ToList());
    }
}
