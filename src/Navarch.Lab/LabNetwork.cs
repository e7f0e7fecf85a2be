using Navarch.Lab.Host;

namespace Navarch.Lab;

/// <summary>
/// The lab's wiring (PLATFORM.md, "The lab"): a switch namespace with a bridge, and per node a namespace whose
/// <c>eth0</c> is a veth to that bridge, with the node's address/24, ip_forward on and a route for the service
/// range. No namespace gets a default route: the lab cannot reach the outside world. Every link is created inside
/// the lab's namespaces (<c>ip -n</c>): nothing touches the root namespace.
/// </summary>
public static class LabNetwork
{
    /// <summary>The bridge in the switch namespace.</summary>
    public const string Bridge = "br0";

    /// <summary>Creates the switch and the node namespaces of <paramref name="state"/> with their links and addresses.</summary>
    public static async Task BuildAsync(LabState state, string serviceRange, CancellationToken ct)
    {
        var sw = new NetworkNamespace(state.SwitchNamespace);
        await sw.CreateAsync(ct);
        await sw.IpAsync(ct, "link", "add", Bridge, "type", "bridge");
        await sw.IpAsync(ct, "link", "set", Bridge, "up");
        await Task.WhenAll(state.Nodes.Select(node => BuildNodeAsync(node, sw, serviceRange, ct)));
    }

    /// <summary>Creates one node's namespace, plugged into the switch <paramref name="sw"/> (also for a node added to a running lab).</summary>
    public static async Task BuildNodeAsync(NodeState node, NetworkNamespace sw, string serviceRange, CancellationToken ct)
    {
        var ns = new NetworkNamespace(node.Namespace);
        await ns.CreateAsync(ct);
        // Both ends are born inside the lab: eth0 in the node, its peer moved straight into the switch.
        await ns.IpAsync(ct, "link", "add", "eth0", "type", "veth", "peer", "name", node.SwitchPort, "netns", sw.Name);
        await sw.IpAsync(ct, "link", "set", node.SwitchPort, "master", Bridge);
        await sw.IpAsync(ct, "link", "set", node.SwitchPort, "up");
        await ns.IpAsync(ct, "addr", "add", node.Address + "/24", "dev", "eth0");
        await ns.IpAsync(ct, "link", "set", "eth0", "up");
        await ns.SysctlAsync("net.ipv4.ip_forward", "1", ct);
        // Without a route for the service range connect() fails before the nat OUTPUT chain sees the packet.
        await ns.IpAsync(ct, "route", "add", serviceRange, "dev", "eth0");
    }

    /// <summary>
    /// Host-gw routing: in every node, a route to each other node's pod subnet via that node's address. Replaces
    /// what is there, so calling it again after a node's subnet changed is safe.
    /// </summary>
    public static async Task RoutePodSubnetsAsync(LabState state, CancellationToken ct)
    {
        foreach (var node in state.Nodes)
        {
            var ns = new NetworkNamespace(node.Namespace);
            foreach (var other in state.Nodes.Where(o => o != node && o.PodCidr is not null))
                await ns.IpAsync(ct, "route", "replace", other.PodCidr!, "via", other.Address, "dev", "eth0");
        }
    }

    /// <summary>Removes the other nodes' routes to <paramref name="gone"/>'s pod subnet (when it leaves a running lab); tolerates routes that are not there.</summary>
    public static async Task UnroutePodSubnetAsync(LabState state, NodeState gone, CancellationToken ct)
    {
        if (gone.PodCidr is null) return;
        foreach (var node in state.Nodes.Where(n => n != gone))
            await HostCommand.TryRunAsync("ip", ["-n", node.Namespace, "route", "del", gone.PodCidr, "via", gone.Address], ct);
    }
}
