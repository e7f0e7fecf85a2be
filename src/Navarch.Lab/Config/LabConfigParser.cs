using System.Net;
using System.Net.Sockets;
using System.Reflection;

namespace Navarch.Lab.Config;

/// <summary>
/// Turns a kube-up style config (the seed's <c>config-default.sh</c>) into a <see cref="LabConfig"/>, checked as
/// kube-up checks it before touching anything: one to three masters, a role per node, valid and distinct addresses
/// on one /24 (the lab's switch), NUM_MINIONS equal to the nodes that run an agent, and a service range that
/// overlaps neither the pod network nor the nodes. Every failure is a <see cref="LabConfigException"/> of one line.
/// </summary>
public static class LabConfigParser
{
    /// <summary>The seed's config, relative to the repository root.</summary>
    public const string DefaultConfigPath = "examples/seed/config-default.sh";

    /// <summary>Masters of one lab: each runs an etcd member, and etcd wants an odd, small cluster.</summary>
    public const int MaxMasters = 3;

    /// <summary>Each node's pod subnet size: the controller manager's node CIDR mask.</summary>
    public const int NodeCidrMaskSize = 24;

    /// <summary>Reads and validates the config file at <paramref name="path"/>.</summary>
    public static LabConfig Load(string path, IReadOnlyDictionary<string, string>? environment = null)
    {
        string text;
        try { text = File.ReadAllText(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new LabConfigException($"{path}: {e.Message}"); }
        try { return Parse(text, environment ?? ProcessEnvironment()); }
        catch (LabConfigException e) { throw new LabConfigException($"{path}: {e.Message}"); }
    }

    /// <summary>
    /// The default config: <see cref="DefaultConfigPath"/> found in <paramref name="workingDirectory"/> or a parent,
    /// else the copy built into this assembly. Returns the text and where it came from.
    /// </summary>
    public static (string Text, string Source) DefaultConfig(string workingDirectory)
    {
        for (var dir = new DirectoryInfo(workingDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, DefaultConfigPath);
            if (File.Exists(candidate)) return (File.ReadAllText(candidate), candidate);
        }
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("config-default.sh")
            ?? throw new InvalidOperationException("the built-in config-default.sh is missing from Navarch.Lab");
        using var reader = new StreamReader(stream);
        return (reader.ReadToEnd(), "built-in " + DefaultConfigPath);
    }

    /// <summary>The variables of the current process, which <c>${NAME:-default}</c> consults.</summary>
    public static IReadOnlyDictionary<string, string> ProcessEnvironment() =>
        Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
            .ToDictionary(e => (string)e.Key, e => (string?)e.Value ?? "", StringComparer.Ordinal);

    /// <summary>Parses and validates config text; <paramref name="environment"/> answers <c>${NAME:-default}</c>.</summary>
    public static LabConfig Parse(string text, IReadOnlyDictionary<string, string> environment)
    {
        var vars = ShellAssignments.Parse(text, environment);
        var nodeWords = Words(vars.Scalar("nodes") ?? throw new LabConfigException("nodes is not set (want nodes=\"USER@IP …\")"));
        if (nodeWords.Count == 0) throw new LabConfigException("nodes is empty");
        var roles = vars.Array("roles") ?? throw new LabConfigException("roles is not set (want roles=(\"ai\" \"i\" …))");
        if (!vars.IsArray("roles")) roles = Words(roles[0]);
        if (roles.Count != nodeWords.Count)
            throw new LabConfigException($"roles has {roles.Count} entries but nodes has {nodeWords.Count}: give one role per node, in the same order");

        var nodes = new List<LabNodeSpec>();
        for (var i = 0; i < nodeWords.Count; i++)
        {
            var node = ParseNode(nodeWords[i], roles[i]);
            if (nodes.Any(n => n.Address.Equals(node.Address))) throw new LabConfigException($"node address {node.Address} appears twice in nodes");
            nodes.Add(node);
        }
        var masters = nodes.Count(n => n.IsMaster);
        if (masters == 0)
            throw new LabConfigException("no node has the master role: one to three roles must be \"a\" or \"ai\"");
        if (masters > MaxMasters)
            throw new LabConfigException($"{masters} nodes have the master role: at most {MaxMasters} roles may be \"a\" or \"ai\" (one etcd member each)");
        var agents = nodes.Count(n => n.IsNode);
        if (agents == 0) throw new LabConfigException("no node has the node role \"i\": nothing could run pods");

        var numMinions = vars.Scalar("NUM_MINIONS");
        if (numMinions is not null)
        {
            if (!int.TryParse(numMinions, out var n) || n < 0) throw new LabConfigException($"NUM_MINIONS \"{numMinions}\" is not a number");
            if (n != agents) throw new LabConfigException($"NUM_MINIONS is {n} but {agents} nodes have the node role \"i\"");
        }

        var services = Cidr(vars, "SERVICE_CLUSTER_IP_RANGE");
        var flannel = Cidr(vars, "FLANNEL_NET");
        if (Overlap(services, flannel))
            throw new LabConfigException($"SERVICE_CLUSTER_IP_RANGE {services} overlaps FLANNEL_NET {flannel}: they must be disjoint");

        var lan = new IPNetwork(Mask(nodes[0].Address, 24), 24);
        foreach (var node in nodes)
        {
            if (!lan.Contains(node.Address)) throw new LabConfigException($"node {node.Address} is not in {lan}: the lab's nodes share one /24 switch");
            if (services.Contains(node.Address)) throw new LabConfigException($"node {node.Address} lies inside SERVICE_CLUSTER_IP_RANGE {services}");
            if (flannel.Contains(node.Address)) throw new LabConfigException($"node {node.Address} lies inside FLANNEL_NET {flannel}");
        }
        if (Overlap(services, lan)) throw new LabConfigException($"SERVICE_CLUSTER_IP_RANGE {services} overlaps the nodes' network {lan}");
        if (Overlap(flannel, lan)) throw new LabConfigException($"FLANNEL_NET {flannel} overlaps the nodes' network {lan}");
        if (flannel.PrefixLength > NodeCidrMaskSize || (1L << (NodeCidrMaskSize - flannel.PrefixLength)) < agents)
            throw new LabConfigException($"FLANNEL_NET {flannel} has no room for {agents} node subnets of /{NodeCidrMaskSize}");
        return new LabConfig { Nodes = nodes, ServiceClusterIpRange = services, FlannelNet = flannel };
    }

    private static LabNodeSpec ParseNode(string word, string role)
    {
        var at = word.LastIndexOf('@');
        var user = at < 0 ? "" : word[..at];
        var host = word[(at + 1)..];
        if (!IPAddress.TryParse(host, out var address) || address.AddressFamily != AddressFamily.InterNetwork || host.Count(c => c == '.') != 3)
            throw new LabConfigException($"node \"{word}\" is not USER@IPV4 (e.g. user@192.168.0.201)");
        if (role is not ("a" or "i" or "ai" or "ia"))
            throw new LabConfigException($"role \"{role}\" of node {address} is not \"a\", \"i\" or \"ai\"");
        return new LabNodeSpec(user, address, role == "ia" ? "ai" : role);
    }

    private static IPNetwork Cidr(ShellAssignments vars, string name)
    {
        var value = vars.Scalar(name) ?? throw new LabConfigException($"{name} is not set");
        var slash = value.IndexOf('/');
        if (!IPNetwork.TryParse(value, out var network) || network.BaseAddress.AddressFamily != AddressFamily.InterNetwork || slash < 0)
            throw new LabConfigException($"{name} \"{value}\" is not an IPv4 CIDR");
        if (!IPAddress.Parse(value[..slash]).Equals(network.BaseAddress))
            throw new LabConfigException($"{name} \"{value}\" has host bits set (did you mean {network}?)");
        return network;
    }

    private static bool Overlap(IPNetwork a, IPNetwork b) => a.Contains(b.BaseAddress) || b.Contains(a.BaseAddress);

    private static IPAddress Mask(IPAddress address, int prefix)
    {
        var bytes = address.GetAddressBytes();
        var value = (uint)(bytes[0] << 24 | bytes[1] << 16 | bytes[2] << 8 | bytes[3]) & (uint.MaxValue << (32 - prefix));
        return new IPAddress([(byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value]);
    }

    private static List<string> Words(string value) => value.Split([' ', '\t', '\n'], StringSplitOptions.RemoveEmptyEntries).ToList();
}
