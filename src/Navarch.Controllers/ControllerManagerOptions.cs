namespace Navarch.Controllers;

/// <summary>Settings of the controller manager, bound from flags of <c>navarch server</c> / <c>navarch controller-manager</c>.</summary>
public sealed class ControllerManagerOptions
{
    /// <summary>The pod network that node IPAM carves per-node subnets from (the seed's FLANNEL_NET).</summary>
    public string ClusterCidr { get; set; } = "10.244.0.0/16";
    /// <summary>Prefix length of each node's pod subnet.</summary>
    public int NodeCidrMaskSize { get; set; } = 24;
    /// <summary>A node without a heartbeat for this long is marked Unknown and tainted unreachable.</summary>
    public TimeSpan NodeMonitorGracePeriod { get; set; } = TimeSpan.FromSeconds(50);
    /// <summary>How often node health is checked.</summary>
    public TimeSpan NodeMonitorPeriod { get; set; } = TimeSpan.FromSeconds(5);
    /// <summary>Workers per controller.</summary>
    public int ConcurrentSyncs { get; set; } = 5;
    /// <summary>Upstream's <c>--root-ca-file</c>: the cluster CA that <c>kube-root-ca.crt</c> and token Secrets carry; none without TLS.</summary>
    public string? RootCaFile { get; set; }
    /// <summary>Upstream's <c>--service-account-private-key-file</c>: signs legacy token Secrets; without it they are not filled.</summary>
    public string? ServiceAccountPrivateKeyFile { get; set; }
    /// <summary>How often informers replay every object to their handlers.</summary>
    public TimeSpan ResyncPeriod { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad flag.</summary>
    public void Validate()
    {
        if (!System.Net.IPNetwork.TryParse(ClusterCidr, out var net) || net.BaseAddress.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork)
            throw new ArgumentException($"--cluster-cidr: \"{ClusterCidr}\" is not an IPv4 CIDR");
        if (NodeCidrMaskSize < net.PrefixLength || NodeCidrMaskSize > 30)
            throw new ArgumentException($"--node-cidr-mask-size: {NodeCidrMaskSize} must be between the cluster CIDR's prefix ({net.PrefixLength}) and 30");
        if (NodeMonitorGracePeriod <= TimeSpan.Zero) throw new ArgumentException("--node-monitor-grace-period must be positive");
        if (ConcurrentSyncs < 1) throw new ArgumentException("--concurrent-syncs must be at least 1");
        if (RootCaFile is { } ca && !File.Exists(ca)) throw new ArgumentException($"--root-ca-file: {ca} does not exist");
    }
}
