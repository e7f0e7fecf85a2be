using Navarch.Lab.Config;
using Navarch.Lab.Host;

namespace Navarch.Lab;

/// <summary>
/// The lab's control plane on its masters. With etcd: one member per master, started in that master's namespace with its
/// client and peer URLs on the master's lab address (one cluster of all of them, data under <c>DATADIR/etcd/NODE</c>);
/// then on every master a <c>navarch server</c> (API server, controller manager, scheduler; leader-elected on etcd, so one
/// controller manager and one scheduler act at a time) on the master's address. Each process is recorded in the state
/// before anything waits on it, so a failed bring-up's teardown finds it.
/// </summary>
internal sealed class LabControlPlane(LabConfig config, LabOptions options, LabState state,
    Func<string?, string, string[], DetachedProcess> startSelf, Action<string> say)
{
    /// <summary>etcd's registered ports; every member has an address of its own, so all use the same.</summary>
    public const int EtcdClientPort = 2379;
    public const int EtcdPeerPort = 2380;

    private List<NodeState> Masters => state.Masters.ToList();

    /// <summary>The API servers' URLs on the lab addresses, the primary first: what agents get as <c>--server</c>.</summary>
    public string ServerUrls => string.Join(',', Masters.Select(m => $"http://{m.Address}:{options.ApiPort}"));

    /// <summary>Starts the etcd members (when the store is etcd) and waits for their quorum, then starts every API server.</summary>
    public async Task StartAsync(CancellationToken ct)
    {
        var masters = Masters;
        var backend = options.StorageBackendFor(masters.Count);
        string[] storage = [];
        if (backend == "etcd")
        {
            await StartEtcdAsync(masters, ct);
            storage = ["--storage-backend", "etcd", "--etcd-servers", EtcdClientUrls(masters)];
        }
        var logs = LabLayout.LogDir(state.DataDir);
        foreach (var master in masters)
        {
            if (masters.Count > 1 && master == masters[1])
            {
                // The first server makes the cluster's keys; the others start with copies, as kubeadm's control-plane join.
                await WaitReadyAsync(masters[0], DateTime.UtcNow + options.ReadyTimeout, ct);
                foreach (var other in masters.Skip(1)) CopySharedKeys(ServerDataDir(state, masters[0]), ServerDataDir(state, other));
            }
            master.Server = ProcessRecord.Of(startSelf(master.Namespace,
                Path.Combine(logs, masters.Count == 1 ? "server.log" : $"server-{master.Name}.log"),
                [
                    "server", "--data-dir", ServerDataDir(state, master),
                    "--bind", master.Address, "--insecure-port", options.ApiPort.ToString(),
                    "--service-cluster-ip-range", config.ServiceClusterIpRange.ToString(),
                    "--cluster-cidr", config.FlannelNet.ToString(), "--node-cidr-mask-size", LabConfigParser.NodeCidrMaskSize.ToString(),
                    // Every master serves cluster DNS; kube-dns's endpoints list the live ones.
                    "--enable-cluster-dns",
                    .. storage,
                ]));
            state.Save();
        }
        say(masters.Count == 1
            ? $"API server started on {masters[0].Address} ({backend})"
            : $"{masters.Count} API servers started on {string.Join(", ", masters.Select(m => m.Address))}, each with a leader-elected controller manager and scheduler ({backend})");
    }

    /// <summary>Waits until every API server answers /readyz on its lab address (asked from inside its namespace).</summary>
    public async Task WaitForServersAsync(CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + options.ReadyTimeout;
        foreach (var master in Masters) await WaitReadyAsync(master, deadline, ct);
    }

    private async Task WaitReadyAsync(NodeState master, DateTime deadline, CancellationToken ct)
    {
        while (true)
        {
            if (!master.Server!.IsAlive) throw new LabException($"navarch server on {master.Name} exited; its log ends:\n{Tail(master.Server)}");
            var probe = await HostCommand.TryRunAsync("nsenter",
                ["--net=" + new NetworkNamespace(master.Namespace).Path, "curl", "-sf", "--max-time", "2", $"http://{master.Address}:{options.ApiPort}/readyz"], ct);
            if (probe.ExitCode == 0) return;
            if (DateTime.UtcNow > deadline)
                throw new LabException($"the API server on {master.Name} was not ready within {options.ReadyTimeout.TotalSeconds:0} s; its log ends:\n{Tail(master.Server)}");
            await Task.Delay(200, ct);
        }
    }

    /// <summary>
    /// What every API server of one cluster must share: the cluster CA (every certificate, client or serving, chains to
    /// one root, so a kubeconfig works against any master) and the ServiceAccount signing key (a token from one server is
    /// valid at the others). Each server makes its own serving certificate from the shared CA.
    /// </summary>
    private static readonly string[] SharedKeyFiles = ["pki/ca.crt", "pki/ca.key", "sa.key", "sa.pub"];

    private static void CopySharedKeys(string fromDataDir, string toDataDir)
    {
        if (!OperatingSystem.IsLinux()) throw new PlatformNotSupportedException("the lab runs on Linux");
        foreach (var file in SharedKeyFiles)
        {
            var target = Path.Combine(toDataDir, file);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            File.Copy(Path.Combine(fromDataDir, file), target, overwrite: true);
            File.SetUnixFileMode(target, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }

    /// <summary>The data directory of the API server on <paramref name="master"/>.</summary>
    public static string ServerDataDir(LabState state, NodeState master) => Path.Combine(LabLayout.ServerDir(state.DataDir), master.Name);

    private async Task StartEtcdAsync(List<NodeState> masters, CancellationToken ct)
    {
        var cluster = string.Join(',', masters.Select(m => $"{EtcdName(m)}=http://{m.Address}:{EtcdPeerPort}"));
        var logs = LabLayout.LogDir(state.DataDir);
        foreach (var master in masters)
        {
            var dataDir = Path.Combine(LabLayout.EtcdDir(state.DataDir), master.Name); // etcd makes it, 0700
            master.Etcd = ProcessRecord.Of(DetachedProcess.Start(new NetworkNamespace(master.Namespace).Path, "etcd",
            [
                "--name", EtcdName(master), "--data-dir", dataDir,
                "--listen-client-urls", $"http://{master.Address}:{EtcdClientPort}", "--advertise-client-urls", $"http://{master.Address}:{EtcdClientPort}",
                "--listen-peer-urls", $"http://{master.Address}:{EtcdPeerPort}", "--initial-advertise-peer-urls", $"http://{master.Address}:{EtcdPeerPort}",
                "--initial-cluster", cluster, "--initial-cluster-state", "new", "--initial-cluster-token", state.SwitchNamespace,
            ], Path.Combine(logs, $"etcd-{master.Name}.log")));
            state.Save();
        }
        await WaitForEtcdAsync(masters, ct);
        say($"etcd: {masters.Count} member{(masters.Count == 1 ? "" : "s")} healthy ({EtcdClientUrls(masters)})");
    }

    /// <summary>Waits until every member answers <c>etcdctl endpoint health</c> (a quorum read), asked from inside the first master.</summary>
    private async Task WaitForEtcdAsync(List<NodeState> masters, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + options.ReadyTimeout;
        var last = "";
        while (true)
        {
            foreach (var member in masters.Where(m => !m.Etcd!.IsAlive))
                throw new LabException($"etcd on {member.Name} exited; its log ends:\n{Tail(member.Etcd!)}");
            var health = await HostCommand.TryRunAsync("nsenter",
                ["--net=" + new NetworkNamespace(masters[0].Namespace).Path, "etcdctl", "--endpoints", EtcdClientUrls(masters), "--command-timeout", "2s", "endpoint", "health"], ct);
            if (health.ExitCode == 0) return;
            last = health.FirstErrorLine;
            if (DateTime.UtcNow > deadline)
                throw new LabException($"etcd was not healthy within {options.ReadyTimeout.TotalSeconds:0} s: {last}");
            await Task.Delay(200, ct);
        }
    }

    private static string EtcdName(NodeState master) => "etcd-" + master.Name.Replace('.', '-');

    private static string EtcdClientUrls(IEnumerable<NodeState> masters) => string.Join(',', masters.Select(m => $"http://{m.Address}:{EtcdClientPort}"));

    private static string Tail(ProcessRecord process) => new DetachedProcess(process.Pid, process.StartTicks, process.LogFile).LogTail();
}
