using System.Net;

namespace Navarch.Lab.Config;

/// <summary>One machine of the config's <c>nodes</c>, with its role from <c>roles</c> (same position).</summary>
/// <param name="User">The user of <c>USER@ADDRESS</c> (kube-up logs in with it; the lab does not use it), or empty.</param>
/// <param name="Address">The node's IPv4 address; also its node name.</param>
/// <param name="Role"><c>a</c> (master), <c>i</c> (node) or <c>ai</c> (both).</param>
public sealed record LabNodeSpec(string User, IPAddress Address, string Role)
{
    /// <summary>Whether the API server, controller manager and scheduler run here.</summary>
    public bool IsMaster => Role.Contains('a');

    /// <summary>Whether a node agent (and its containerd) runs here.</summary>
    public bool IsNode => Role.Contains('i');

    /// <summary>The node's name in the cluster: its address, as in the walkthrough.</summary>
    public string Name => Address.ToString();
}

/// <summary>A validated cluster config (<see cref="LabConfigParser"/>): the seed's <c>config-default.sh</c> as data.</summary>
public sealed record LabConfig
{
    /// <summary>The machines, in the config's order.</summary>
    public required IReadOnlyList<LabNodeSpec> Nodes { get; init; }

    /// <summary>SERVICE_CLUSTER_IP_RANGE: where Services get cluster IPs.</summary>
    public required IPNetwork ServiceClusterIpRange { get; init; }

    /// <summary>FLANNEL_NET: the pod network; each node gets a /24 of it.</summary>
    public required IPNetwork FlannelNet { get; init; }

    /// <summary>The nodes with the master role (one to three), in the config's order.</summary>
    public IEnumerable<LabNodeSpec> Masters => Nodes.Where(n => n.IsMaster);

    /// <summary>The first master: the one kube-up's report names, which serves cluster DNS and which the host port tries first.</summary>
    public LabNodeSpec Master => Masters.First();

    /// <summary>The nodes that run an agent.</summary>
    public IEnumerable<LabNodeSpec> AgentNodes => Nodes.Where(n => n.IsNode);
}
