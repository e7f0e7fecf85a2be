using k8s.Models;

namespace Navarch.Scheduler.Framework;

/// <summary>One host port a pod takes: address (0.0.0.0 = every address), protocol, port.</summary>
public readonly record struct HostPort(string Ip, string Protocol, int Port)
{
    public const string AnyIp = "0.0.0.0";

    /// <summary>Whether two pods wanting these could not share a node (same protocol and port on an overlapping address).</summary>
    public bool ConflictsWith(HostPort other) =>
        Port == other.Port && Protocol == other.Protocol && (Ip == other.Ip || Ip == AnyIp || other.Ip == AnyIp);

    /// <summary>The host ports of the pod's containers (hostPort &gt; 0), with upstream's defaults (TCP, 0.0.0.0).</summary>
    public static IReadOnlyList<HostPort> Of(V1PodSpec spec)
    {
        List<HostPort>? ports = null;
        foreach (var c in spec.Containers ?? [])
            foreach (var p in c.Ports ?? [])
                if (p.HostPort is > 0)
                    (ports ??= []).Add(new HostPort(string.IsNullOrEmpty(p.HostIP) ? AnyIp : p.HostIP, string.IsNullOrEmpty(p.Protocol) ? "TCP" : p.Protocol, p.HostPort.Value));
        return ports ?? (IReadOnlyList<HostPort>)[];
    }
}
