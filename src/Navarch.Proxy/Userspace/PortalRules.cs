using System.Globalization;
using System.Text;
using Navarch.Proxy.ChangeTracking;

namespace Navarch.Proxy.Userspace;

/// <summary>
/// Renders the userspace mode's four nat chains (the seed walkthrough's step 5, upstream's 1.x userspace proxier)
/// as <c>iptables-restore --noflush</c> input. Each service port's cluster IP and node port are steered to the local
/// relay port that proxies it: REDIRECT for packets arriving from containers and other hosts (PREROUTING), DNAT to
/// the node's address for packets from local processes (OUTPUT), where REDIRECT would answer from the wrong address.
/// Every rule is written exactly as <c>iptables-save -t nat</c> (iptables 1.8.9) prints it back, so the text doubles
/// as the expected output of a save. Pure: the same ports and node always give the same text.
/// </summary>
public static class PortalRules
{
    /// <summary>Cluster IPs, for traffic from containers and other hosts (hooked from PREROUTING).</summary>
    public const string ContainerPortals = "KUBE-PORTALS-CONTAINER";

    /// <summary>Cluster IPs, for traffic from processes on this node (hooked from OUTPUT).</summary>
    public const string HostPortals = "KUBE-PORTALS-HOST";

    /// <summary>Node ports, for traffic from containers and other hosts (hooked from PREROUTING).</summary>
    public const string ContainerNodePorts = "KUBE-NODEPORT-CONTAINER";

    /// <summary>Node ports, for traffic from processes on this node (hooked from OUTPUT).</summary>
    public const string HostNodePorts = "KUBE-NODEPORT-HOST";

    private const string Nat = "nat";
    private const string PortalsComment = "handle ClusterIPs; NOTE: this must be before the NodePort rules";
    private const string NodePortsComment = "handle service NodePorts; NOTE: this must be the last rule in the chain";

    /// <summary>The four chains, in the order they are declared: what <c>--cleanup</c> flushes and deletes.</summary>
    public static IReadOnlyList<string> Chains { get; } = [ContainerPortals, HostPortals, ContainerNodePorts, HostNodePorts];

    /// <summary>
    /// The jumps into the four chains, as the 1.x userspace proxier's iptablesInit ensures them: the portal jumps
    /// prepended, the node-port jumps (matching any local destination address) appended, so cluster IPs always match
    /// first. Apply them after <see cref="Render"/>'s text has been restored: a jump needs its target chain to exist.
    /// </summary>
    public static IReadOnlyList<JumpRule> Jumps { get; } =
    [
        new(Nat, "PREROUTING", ["-m", "comment", "--comment", PortalsComment, "-j", ContainerPortals], Prepend: true),
        new(Nat, "OUTPUT", ["-m", "comment", "--comment", PortalsComment, "-j", HostPortals], Prepend: true),
        new(Nat, "PREROUTING", ["-m", "addrtype", "--dst-type", "LOCAL", "-m", "comment", "--comment", NodePortsComment, "-j", ContainerNodePorts], Prepend: false),
        new(Nat, "OUTPUT", ["-m", "addrtype", "--dst-type", "LOCAL", "-m", "comment", "--comment", NodePortsComment, "-j", HostNodePorts], Prepend: false),
    ];

    /// <summary>
    /// The nat section for <paramref name="ports"/>, each relayed by the local port paired with it. Declares (and so
    /// flushes) all four chains, then per service port: a portal in each portal chain, and when it has a node port, a
    /// rule in each node-port chain. Rules are ordered by namespace, service and port name. Comments are
    /// <see cref="ServicePort.Name"/> (<c>ns/svc:port</c>, the colon kept for an unnamed port as in 2015).
    /// </summary>
    public static string Render(IReadOnlyList<(ServicePort Port, int ProxyPort)> ports, ProxyNode node)
    {
        var ordered = ports.ToList();
        ordered.Sort((a, b) => ServicePortTable.CompareByName(a.Port, b.Port));
        var nodeIp = node.Address.ToString();

        var text = new StringBuilder("*nat\n");
        foreach (var chain in Chains) text.Append(':').Append(chain).Append(" - [0:0]\n");
        foreach (var (port, proxyPort) in ordered)
        {
            text.Append(Rule(ContainerPortals, port, $"-d {port.ClusterIp}/32", port.Port, Redirect(proxyPort)));
        }

        foreach (var (port, proxyPort) in ordered)
        {
            text.Append(Rule(HostPortals, port, $"-d {port.ClusterIp}/32", port.Port, Dnat(nodeIp, proxyPort)));
        }

        foreach (var (port, proxyPort) in ordered.Where(p => p.Port.NodePort != 0))
        {
            text.Append(Rule(ContainerNodePorts, port, null, port.NodePort, Redirect(proxyPort)));
        }

        foreach (var (port, proxyPort) in ordered.Where(p => p.Port.NodePort != 0))
        {
            text.Append(Rule(HostNodePorts, port, null, port.NodePort, Dnat(nodeIp, proxyPort)));
        }

        text.Append("COMMIT\n");
        return text.ToString();
    }

    /// <summary>
    /// Restore input that flushes and deletes the four chains. Declaring a chain creates it when missing, so the text
    /// is valid whatever exists. Delete the <see cref="Jumps"/> first: a chain that is still jumped to cannot be deleted.
    /// </summary>
    public static string RenderCleanup()
    {
        var text = new StringBuilder("*nat\n");
        foreach (var chain in Chains) text.Append(':').Append(chain).Append(" - [0:0]\n");
        foreach (var chain in Chains) text.Append("-X ").Append(chain).Append('\n');
        text.Append("COMMIT\n");
        return text.ToString();
    }

    // iptables-save prints the matches in this order: destination, protocol, then the modules in the order given.
    private static string Rule(string chain, ServicePort port, string? destination, int destinationPort, string target)
    {
        var protocol = port.Protocol.ToLowerInvariant();
        var rule = new StringBuilder("-A ").Append(chain);
        if (destination is not null) rule.Append(' ').Append(destination);
        rule.Append(" -p ").Append(protocol)
            .Append(" -m comment --comment ").Append(SaveQuoted(port.Name))
            .Append(" -m ").Append(protocol).Append(" --dport ").Append(destinationPort.ToString(CultureInfo.InvariantCulture))
            .Append(' ').Append(target).Append('\n');
        return rule.ToString();
    }

    private static string Redirect(int proxyPort) => $"-j REDIRECT --to-ports {proxyPort.ToString(CultureInfo.InvariantCulture)}";

    private static string Dnat(string nodeIp, int proxyPort) => $"-j DNAT --to-destination {nodeIp}:{proxyPort.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>
    /// A string as iptables-save prints it (libxtables xtables_save_string): bare when it is only letters, digits,
    /// <c>_</c> and <c>-</c>; otherwise double-quoted with <c>"</c>, <c>\</c> and <c>'</c> backslash-escaped.
    /// </summary>
    internal static string SaveQuoted(string value)
    {
        if (value.Length > 0 && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-')) return value;
        var quoted = new StringBuilder("\"");
        foreach (var c in value)
        {
            if (c is '"' or '\\' or '\'') quoted.Append('\\');
            quoted.Append(c);
        }

        return quoted.Append('"').ToString();
    }
}
