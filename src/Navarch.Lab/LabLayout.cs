using System.Net;
using Navarch.Lab.Config;

namespace Navarch.Lab;

/// <summary>The names and paths of a lab for a config and options: a pure function, shared by up and down.</summary>
public static class LabLayout
{
    private const string SwitchSuffix = "-switch";

    /// <summary>Builds the initial state (nothing started yet) of the lab for <paramref name="config"/>.</summary>
    public static LabState Plan(LabConfig config, LabOptions options) => new()
    {
        DataDir = Path.GetFullPath(options.DataDir),
        HostPort = options.HostPort,
        HostSecurePort = options.HostSecurePort,
        MasterUrl = $"http://{config.Master.Address}:{options.ApiPort}",
        SwitchNamespace = options.NamespacePrefix + SwitchSuffix,
        Nodes = config.Nodes.Select(n => Node(options.NamespacePrefix, Path.GetFullPath(options.DataDir), n)).ToList(),
    };

    /// <summary>A node (agent only) to add to the running lab of <paramref name="state"/>, named and placed like the config's nodes.</summary>
    public static NodeState AddedNode(LabState state, IPAddress address) =>
        Node(state.SwitchNamespace[..^SwitchSuffix.Length], state.DataDir, new LabNodeSpec("", address, "i"));

    private static NodeState Node(string prefix, string dataDir, LabNodeSpec n) => new()
    {
        Name = n.Name,
        Address = n.Address.ToString(),
        Namespace = NodeNamespace(prefix, n),
        SwitchPort = "veth" + n.Address.GetAddressBytes()[3],
        DataDir = Path.Combine(dataDir, "nodes", n.Name),
        RunsAgent = n.IsNode,
        IsMaster = n.IsMaster,
    };

    /// <summary><c>PREFIX-192-168-0-201</c>.</summary>
    public static string NodeNamespace(string prefix, LabNodeSpec node) => $"{prefix}-{node.Address.ToString().Replace('.', '-')}";

    /// <summary>The lab's log directory.</summary>
    public static string LogDir(string dataDir) => Path.Combine(dataDir, "logs");

    /// <summary>The API servers' data directory (one directory below it per master when there are several).</summary>
    public static string ServerDir(string dataDir) => Path.Combine(dataDir, "server");

    /// <summary>The etcd members' data directory: one directory below it per master.</summary>
    public static string EtcdDir(string dataDir) => Path.Combine(dataDir, "etcd");
}
