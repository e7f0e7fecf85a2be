using System.Text.Json;
using Navarch.Lab.Host;

namespace Navarch.Lab;

/// <summary>A process the lab started: enough to find it again (a reused PID has another start time).</summary>
public sealed record ProcessRecord(int Pid, long StartTicks, string LogFile)
{
    /// <summary>Whether it still runs.</summary>
    public bool IsAlive => ProcessInfo.IsAlive(Pid, StartTicks);

    /// <summary>The record of a started process.</summary>
    public static ProcessRecord Of(DetachedProcess process) => new(process.Pid, process.StartTicks, process.LogFile);
}

/// <summary>One node of the lab as built.</summary>
public sealed record NodeState
{
    public required string Name { get; init; }
    public required string Address { get; init; }
    public required string Namespace { get; init; }
    /// <summary>Name of the node's veth end in the switch namespace.</summary>
    public required string SwitchPort { get; init; }
    public required string DataDir { get; init; }
    public required bool RunsAgent { get; init; }
    /// <summary>Whether an API server (with its controller manager and scheduler) runs here.</summary>
    public bool IsMaster { get; init; }
    public ProcessRecord? Agent { get; set; }
    /// <summary>The master's <c>navarch server</c>.</summary>
    public ProcessRecord? Server { get; set; }
    /// <summary>The master's etcd member, when the lab stores in etcd.</summary>
    public ProcessRecord? Etcd { get; set; }
    public string? PodCidr { get; set; }
}

/// <summary>
/// Everything <c>navarch up</c> created, written to <c>DATADIR/state.json</c> before each step takes effect, so that
/// <c>navarch down</c> can undo a lab that is running, half-built or left by a crash.
/// </summary>
public sealed class LabState
{
    /// <summary>The state file's name in the lab's data dir.</summary>
    public const string FileName = "state.json";

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public required string DataDir { get; init; }
    public required int HostPort { get; init; }
    public required string MasterUrl { get; init; }
    public required string SwitchNamespace { get; init; }
    public required List<NodeState> Nodes { get; init; }
    public ProcessRecord? Forwarder { get; set; }

    /// <summary>How the agents were started (null in a state file of an older navarch: nodes cannot be added to that lab).</summary>
    public LabAgentSettings? Agents { get; set; }

    /// <summary>The host's loopback port forwarded to the secure port (0 in a state written before it existed).</summary>
    public int HostSecurePort { get; init; }

    /// <summary>The forwarder of <see cref="HostSecurePort"/>.</summary>
    public ProcessRecord? SecureForwarder { get; set; }

    /// <summary>The masters, in the config's order; the first is the primary (the host port's first choice).</summary>
    public IEnumerable<NodeState> Masters => Nodes.Where(n => n.IsMaster);

    /// <summary>Directories that did not exist before the lab (cgroup parents, CNI's cache); removed when empty.</summary>
    public List<string> CreatedDirectories { get; init; } = [];

    /// <summary>Whether /run/netns was a mount point before the lab (the first <c>ip netns add</c> makes it one).</summary>
    public bool NetnsDirWasMounted { get; init; } = true;

    public DateTimeOffset CreatedAt { get; init; } = DateTimeOffset.UtcNow;

    /// <summary>The lab's processes that still run.</summary>
    public IEnumerable<ProcessRecord> LiveProcesses =>
        Nodes.SelectMany(n => new[] { n.Etcd, n.Server, n.Agent }).Append(Forwarder).Append(SecureForwarder).OfType<ProcessRecord>().Where(p => p.IsAlive);

    /// <summary>Writes the state atomically.</summary>
    public void Save()
    {
        // Owner-only like every data directory: it holds the server's store (made 0700 by the server) and the logs.
        if (OperatingSystem.IsWindows()) Directory.CreateDirectory(DataDir);
        else Directory.CreateDirectory(DataDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var path = Path.Combine(DataDir, FileName);
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(this, Json));
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>Reads the state of the lab in <paramref name="dataDir"/>, or null when there is none.</summary>
    public static LabState? Load(string dataDir)
    {
        var path = Path.Combine(dataDir, FileName);
        if (!File.Exists(path)) return null;
        try { return JsonSerializer.Deserialize<LabState>(File.ReadAllText(path), Json); }
        catch (JsonException e) { throw new LabException($"{path} is not a lab state file: {e.Message}"); }
    }

    /// <summary>Removes the state file (the lab is gone).</summary>
    public void Delete() => File.Delete(Path.Combine(DataDir, FileName));
}
