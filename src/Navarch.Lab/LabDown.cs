using System.Diagnostics;
using Navarch.Cri;
using Navarch.Lab.Host;

namespace Navarch.Lab;

/// <summary>
/// <c>navarch down</c>: undoes everything a <see cref="LabState"/> records, in the order that leaves nothing behind
/// (PLATFORM.md): agents first (so nothing is recreated), every pod sandbox removed through CRI (that runs CNI DEL),
/// the API servers and etcd members and the forwarder, then containerd and whatever still runs in the namespaces (shims) by PID, the namespaces
/// (and with them every link, route and rule of the lab), CNI results and cgroup parents the lab created, and the
/// lab's data (logs stay). Works on a running lab, a half-built one and one left by a crash; each step tolerates
/// what is already gone.
/// </summary>
public sealed class LabDown(LabState state, Action<string> progress)
{
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(5);

    /// <summary>Tears the lab down; returns the number of seconds it took.</summary>
    public async Task<double> RunAsync(CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        foreach (var forwarder in new[] { state.Forwarder, state.SecureForwarder }.OfType<ProcessRecord>())
            await ProcessInfo.StopAsync(forwarder.Pid, forwarder.StartTicks, Grace);

        var ids = new HashSet<string>(StringComparer.Ordinal);
        var agents = state.Nodes.Where(n => n.RunsAgent).ToList();
        // SIGKILL to the agent alone: its containerd lives on for the CRI calls, and no agent recreates a pod meanwhile.
        foreach (var node in agents)
            if (node.Agent is { } agent) ProcessInfo.Signal(agent.Pid, LibC.SigKill, agent.StartTicks);
        var removed = await Task.WhenAll(agents.Select(n => RemoveSandboxesAsync(n, ct)));
        foreach (var list in removed) ids.UnionWith(list);
        progress($"removed {removed.Sum(l => l.Count)} pod sandboxes through CRI");

        // The API servers before their store: a server that stops in order removes its master lease from etcd.
        await Task.WhenAll(state.Masters.Select(m => m.Server).OfType<ProcessRecord>().Select(s => ProcessInfo.StopAsync(s.Pid, s.StartTicks, Grace)));
        await StopEtcdAsync();
        await Task.WhenAll(agents.Select(StopContainerdAsync));
        foreach (var node in agents) ids.UnionWith(RuntimeIdsOnDisk(node));
        await KillCgroupMembersAsync(ids);
        foreach (var name in state.Nodes.Select(n => n.Namespace).Append(state.SwitchNamespace))
            await new NetworkNamespace(name).DeleteAsync(ct);
        progress($"deleted {state.Nodes.Count + 1} namespaces");

        RemoveCniResults(ids);
        RemoveCgroups(ids);
        foreach (var dir in state.CreatedDirectories.OrderByDescending(d => d.Length)) TryRemoveEmptyDirectory(dir);
        if (!state.NetnsDirWasMounted && Directory.Exists(NetworkNamespace.Directory) && !Directory.EnumerateFileSystemEntries(NetworkNamespace.Directory).Any())
            await HostCommand.TryRunAsync("umount", [NetworkNamespace.Directory], ct);
        DeleteData();
        state.Delete();
        return clock.Elapsed.TotalSeconds;
    }

    /// <summary>Stops and removes every sandbox of the node's containerd (CNI DEL runs); returns their and their containers' ids.</summary>
    private static async Task<IReadOnlyCollection<string>> RemoveSandboxesAsync(NodeState node, CancellationToken ct)
    {
        var ids = new List<string>();
        var socket = ImagePreloader.ContainerdOf(node.DataDir).Socket;
        if (!File.Exists(socket)) return ids;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(TimeSpan.FromSeconds(30));
        using var runtime = CriRuntime.Connect(RuntimeEndpoint.FromSocketPath(socket), TimeSpan.FromSeconds(10));
        try
        {
            ids.AddRange((await runtime.ListContainersAsync(null, deadline.Token)).Select(c => c.Id));
            foreach (var sandbox in await runtime.ListSandboxesAsync(null, deadline.Token))
            {
                ids.Add(sandbox.Id);
                await runtime.StopSandboxAsync(sandbox.Id, deadline.Token);
                await runtime.RemoveSandboxAsync(sandbox.Id, deadline.Token);
            }
        }
        catch (Exception e) when (e is RuntimeException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            // containerd is gone or stuck: killing what runs in the namespace below still stops the pods.
        }
        return ids;
    }

    /// <summary>Stops every recorded etcd member; one that a crash left unrecorded dies with its namespace below, and every data
    /// dir goes with <see cref="DeleteData"/>.</summary>
    private Task StopEtcdAsync() =>
        Task.WhenAll(state.Masters.Select(m => m.Etcd).OfType<ProcessRecord>().Select(e => ProcessInfo.StopAsync(e.Pid, e.StartTicks, Grace)));

    /// <summary>SIGTERM to the node's containerd, so it shuts down in order; what outlives it dies with the namespace.</summary>
    private static async Task StopContainerdAsync(NodeState node)
    {
        var containerds = (await new NetworkNamespace(node.Namespace).PidsAsync()).Where(p => ProcessInfo.Name(p) == "containerd").ToArray();
        foreach (var pid in containerds) ProcessInfo.Signal(pid, LibC.SigTerm);
        if (!await ProcessInfo.WaitGoneAsync(containerds, Grace))
            foreach (var pid in containerds) ProcessInfo.Signal(pid, LibC.SigKill);
    }

    /// <summary>Sandbox and container ids containerd still has on disk (after a crash CRI could not list them).</summary>
    private static IEnumerable<string> RuntimeIdsOnDisk(NodeState node)
    {
        var paths = ImagePreloader.ContainerdOf(node.DataDir);
        string[] dirs =
        [
            Path.Combine(paths.Root, "io.containerd.grpc.v1.cri", "sandboxes"),
            Path.Combine(paths.Root, "io.containerd.grpc.v1.cri", "containers"),
            Path.Combine(paths.State, "io.containerd.runtime.v2.task", "k8s.io"),
        ];
        return dirs.Where(Directory.Exists).SelectMany(Directory.EnumerateDirectories).Select(d => Path.GetFileName(d)!).ToArray();
    }

    /// <summary>libcni's host-wide result cache keeps one file per sandbox and interface (NETWORK-ID-IFNAME); CNI DEL removes it, a crash does not.</summary>
    private static void RemoveCniResults(IReadOnlySet<string> ids)
    {
        const string results = "/var/lib/cni/results";
        if (!Directory.Exists(results) || ids.Count == 0) return;
        foreach (var file in Directory.EnumerateFiles(results))
            if (ids.Any(id => Path.GetFileName(file).Contains("-" + id + "-", StringComparison.Ordinal))) File.Delete(file);
    }

    /// <summary>
    /// Pod processes whose shim is already gone (killed, crashed) are orphans outside every namespace the lab can list;
    /// their container cgroups (<c>CONTROLLER/k8s.io/ID</c>) still name them.
    /// </summary>
    private static async Task KillCgroupMembersAsync(IReadOnlySet<string> ids)
    {
        var members = new HashSet<int>();
        foreach (var parent in CgroupParents())
            foreach (var id in ids)
            {
                var procs = Path.Combine(parent, id, "cgroup.procs");
                try { if (File.Exists(procs)) members.UnionWith(File.ReadAllLines(procs).Select(int.Parse)); }
                catch (Exception e) when (e is IOException or FormatException) { /* gone meanwhile */ }
            }
        foreach (var pid in members) ProcessInfo.Signal(pid, LibC.SigKill);
        await ProcessInfo.WaitGoneAsync(members, Grace);
    }

    private static IEnumerable<string> CgroupParents() =>
        Directory.Exists("/sys/fs/cgroup")
            ? Directory.EnumerateDirectories("/sys/fs/cgroup").Select(c => Path.Combine(c, "k8s.io")).Append("/sys/fs/cgroup/k8s.io").Where(Directory.Exists)
            : [];

    /// <summary>Cgroups runc leaves when its containers were killed rather than deleted: <c>CONTROLLER/k8s.io/ID</c>.</summary>
    private static void RemoveCgroups(IReadOnlySet<string> ids)
    {
        foreach (var parent in CgroupParents())
            foreach (var id in ids)
                TryRemoveEmptyDirectory(Path.Combine(parent, id));
    }

    private static void TryRemoveEmptyDirectory(string dir)
    {
        try { if (Directory.Exists(dir)) Directory.Delete(dir); }
        catch (IOException) { /* not empty or busy: not ours to force */ }
        catch (UnauthorizedAccessException) { }
    }

    /// <summary>Removes the servers', etcd's and the nodes' data (containerd roots, pod logs); the lab's logs stay for reading.</summary>
    private void DeleteData()
    {
        File.Delete(LabKubeconfig.PathIn(state.DataDir));
        foreach (var dir in new[] { LabLayout.ServerDir(state.DataDir), LabLayout.EtcdDir(state.DataDir), Path.Combine(state.DataDir, "nodes") })
        {
            try { if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true); }
            catch (IOException e) { progress($"could not delete {dir}: {e.Message}"); }
            catch (UnauthorizedAccessException e) { progress($"could not delete {dir}: {e.Message}"); }
        }
    }

    /// <summary>
    /// Takes one node out of a running lab in <see cref="RunAsync"/>'s order: its agent, its pod sandboxes through CRI, its
    /// containerd, what still runs for its pods, its namespace (with its links), CNI results, cgroups and data.
    /// </summary>
    public static async Task RemoveNodeAsync(NodeState node, Action<string> progress, CancellationToken ct)
    {
        if (node.Agent is { } agent) ProcessInfo.Signal(agent.Pid, LibC.SigKill, agent.StartTicks);
        var ids = new HashSet<string>(await RemoveSandboxesAsync(node, ct), StringComparer.Ordinal);
        await StopContainerdAsync(node);
        ids.UnionWith(RuntimeIdsOnDisk(node));
        await KillCgroupMembersAsync(ids);
        await new NetworkNamespace(node.Namespace).DeleteAsync(ct);
        RemoveCniResults(ids);
        RemoveCgroups(ids);
        try { if (Directory.Exists(node.DataDir)) Directory.Delete(node.DataDir, recursive: true); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { progress($"could not delete {node.DataDir}: {e.Message}"); }
    }
}
