namespace Navarch.Lab;

/// <summary>
/// What every node's agent is started with besides its own name, address and data dir. <c>up</c> records it in the
/// state file, so that a node added to the running lab later (<see cref="LabNodes"/>) joins like the first ones.
/// </summary>
/// <param name="ServerUrls">The masters' API servers, comma-separated.</param>
/// <param name="ProxyMode">The service proxy mode (<c>userspace</c> or <c>iptables</c>).</param>
/// <param name="ClusterCidr">The pod network (FLANNEL_NET).</param>
/// <param name="ClusterDns">The cluster DNS service's IP.</param>
/// <param name="ServiceRange">The service range (SERVICE_CLUSTER_IP_RANGE), which each node routes to its eth0.</param>
public sealed record LabAgentSettings(string ServerUrls, string ProxyMode, string ClusterCidr, string ClusterDns, string ServiceRange)
{
    /// <summary>The <c>navarch</c> arguments that run <paramref name="node"/>'s agent with its containerd.</summary>
    public IReadOnlyList<string> ArgumentsFor(NodeState node) =>
    [
        "agent", "--server", ServerUrls, "--node-name", node.Name, "--node-ip", node.Address,
        "--runtime", "containerd", "--data-dir", node.DataDir,
        // By default the seed's (2015) proxy: a relay port per service port, and the walkthrough's four chains.
        "--proxy-mode", ProxyMode, "--cluster-cidr", ClusterCidr, "--cluster-dns", ClusterDns,
    ];
}
