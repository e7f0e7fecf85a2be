namespace Navarch.Cri;

/// <summary>
/// What a pod sandbox should look like: the pod's identity, hostname, DNS, host ports and placement. The
/// same spec is passed again to <see cref="ICriRuntime.CreateContainerAsync"/> (the runtime reads the log
/// directory and cgroup parent from it).
/// </summary>
public sealed record SandboxSpec
{
    /// <summary>The pod's name.</summary>
    public required string Name { get; init; }

    /// <summary>The pod's namespace.</summary>
    public required string Namespace { get; init; }

    /// <summary>The pod's UID.</summary>
    public required string Uid { get; init; }

    /// <summary>How many sandboxes this pod had before; the runtime refuses two live sandboxes with equal name, namespace, UID and attempt.</summary>
    public int Attempt { get; init; }

    /// <summary>The hostname inside the pod (upstream: <c>spec.hostname</c> or the pod's name).</summary>
    public string Hostname { get; init; } = "";

    /// <summary>Absolute directory under which container logs go (upstream: <c>/var/log/pods/NS_NAME_UID</c>); empty for none.</summary>
    public string LogDirectory { get; init; } = "";

    /// <summary>The pod's resolv.conf, or null to let the runtime copy the node's.</summary>
    public DnsSpec? Dns { get; init; }

    /// <summary>Host ports to forward to the pod (containers' ports that set <c>hostPort</c>).</summary>
    public IReadOnlyList<PortMapping> PortMappings { get; init; } = [];

    /// <summary>Labels on the sandbox; include <see cref="RuntimeLabels.PodUid"/> so it can be found again.</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    /// <summary>Annotations on the sandbox.</summary>
    public IReadOnlyDictionary<string, string> Annotations { get; init; } = new Dictionary<string, string>();

    /// <summary>The cgroup under which the pod's cgroups go (cgroupfs path such as <c>/navarch/podUID</c>), or empty for the runtime's default.</summary>
    public string CgroupParent { get; init; } = "";
}

/// <summary>A pod's resolv.conf: name servers, search domains and options (e.g. <c>ndots:5</c>).</summary>
public sealed record DnsSpec(IReadOnlyList<string> Servers, IReadOnlyList<string> Searches, IReadOnlyList<string> Options);

/// <summary>Transport protocol of a port.</summary>
public enum PortProtocol
{
    /// <summary>TCP.</summary>
    Tcp,
    /// <summary>UDP.</summary>
    Udp,
    /// <summary>SCTP.</summary>
    Sctp,
}

/// <summary>One host port forwarded to a container port of the pod; <paramref name="HostIp"/> empty for all addresses.</summary>
public sealed record PortMapping(PortProtocol Protocol, int ContainerPort, int HostPort, string HostIp = "");
