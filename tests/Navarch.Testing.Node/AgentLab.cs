using System.Diagnostics;
using System.Text.RegularExpressions;
using k8s;
using k8s.Models;
using Navarch.Agent.Containerd;
using Navarch.Cri;
using Navarch.Images;
namespace Navarch.Testing;

/// <summary>
/// A <see cref="LabNode"/> with a real <c>navarch agent --runtime containerd</c> and the lab's images imported:
/// everything the E2E needs, and a teardown that removes it all (sandboxes through CRI first, so CNI DEL runs).
/// </summary>
public sealed partial class AgentLab : IAsyncDisposable
{
    public const string ClusterCidr = "10.244.0.0/16";
    private static readonly string ImageCache = Path.Combine(Path.GetTempPath(), "navarch-e2e-images");

    private readonly HashSet<string> _sandboxIds = [];
    private int _disposed;

    private AgentLab(LabNode node) => Node = node;

    /// <summary>The node: namespace, server, agent.</summary>
    public LabNode Node { get; }

    /// <summary>The official client, connected through the node's namespace.</summary>
    public IKubernetes Client => Node.Client;

    /// <summary>Where the agent's containerd keeps everything (socket, config, root).</summary>
    public ContainerdPaths Containerd => ContainerdOptions.Paths();

    /// <summary>CRI straight to the agent's containerd.</summary>
    public CriRuntime Cri { get; private set; } = null!;

    /// <summary>The node's pod CIDR (assigned by the controller manager).</summary>
    public string PodCidr { get; private set; } = "";

    // As `navarch agent` configures its containerd (AgentCommand), so that a containerd restarted for the teardown reads the same state.
    private ContainerdOptions ContainerdOptions => new()
    {
        DataDir = Node.AgentDataDir,
        SandboxImage = "docker.io/" + ImageRecipes.PauseName,
        NetworkNamespace = Node.Netns.Path,
        Snapshotter = SnapshotterOf(ContainerdPaths.For(Node.AgentDataDir).ConfigFile),
    };

    /// <summary>Sandbox ids seen during the test (to check CNI's host-wide cache for leftovers).</summary>
    public IReadOnlyCollection<string> SandboxIds { get { lock (_sandboxIds) return _sandboxIds.ToArray(); } }

    /// <summary>Starts the lab with every image the E2E uses (pause, nginx, busybox); <paramref name="agentArgs"/> go to the agent.</summary>
    public static Task<AgentLab> StartAsync(CancellationToken ct, params string[] agentArgs) => StartAsync(LabImages.All, ct, agentArgs);

    /// <summary>
    /// Starts a node (server with <see cref="ClusterCidr"/>, <c>navarch agent --runtime containerd</c> with
    /// <paramref name="agentArgs"/>), imports the pause image and <paramref name="images"/>, and returns once the node is
    /// Ready with a pod CIDR.
    /// </summary>
    public static async Task<AgentLab> StartAsync(LabImages images, CancellationToken ct, params string[] agentArgs)
    {
        // Built once per machine and cached: the tarballs are deterministic.
        var builder = new ImageBuilder(ImageCache);
        var tarballs = new List<string> { await builder.BuildPauseAsync(ct) };
        if (images.HasFlag(LabImages.Nginx)) tarballs.Add(await builder.BuildNginxAsync(ct));
        if (images.HasFlag(LabImages.Busybox)) tarballs.Add(await builder.BuildBusyboxAsync(ct));

        var node = await LabNode.StartAsync("node1", "192.168.0.201", "--cluster-cidr", ClusterCidr);
        var lab = new AgentLab(node);
        try
        {
            node.StartAgent(["--runtime", "containerd", .. agentArgs]);
            await Poll.UntilAsync("the agent's containerd socket", () =>
            {
                if (node.Agent is null) throw new InvalidOperationException($"navarch agent exited:\n{AgentOutput(node)}");
                return File.Exists(lab.Containerd.Socket);
            }, TimeSpan.FromSeconds(30), () => AgentOutput(node));
            lab.Cri = CriRuntime.Connect(RuntimeEndpoint.FromSocketPath(lab.Containerd.Socket), TimeSpan.FromSeconds(30));
            await Poll.UntilAsync("containerd answers CRI", async () =>
            {
                try { await lab.Cri.VersionAsync(ct); return true; }
                catch (RuntimeException) { return false; }
            }, TimeSpan.FromSeconds(30), () => AgentOutput(node));
            var snapshotter = SnapshotterOf(lab.Containerd.ConfigFile);
            foreach (var tarball in tarballs) await ImageImporter.ImportAsync(lab.Containerd.Socket, tarball, snapshotter: snapshotter, ct: ct);

            await Poll.UntilAsync("node registered, Ready, with a pod CIDR", async () =>
            {
                var n = (await node.Client.CoreV1.ListNodeAsync(cancellationToken: ct)).Items.FirstOrDefault(x => x.Metadata.Name == node.NodeName);
                lab.PodCidr = n?.Spec?.PodCIDR ?? "";
                return lab.PodCidr.Length > 0 && n!.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true;
            }, TimeSpan.FromSeconds(40), () => AgentOutput(node));
            return lab;
        }
        catch
        {
            await lab.DisposeAsync();
            throw;
        }
    }

    /// <summary>What the node's agent printed (for failure messages).</summary>
    public static string AgentOutput(LabNode node) => node.Agent?.Output ?? "(agent not running)";

    private static string? SnapshotterOf(string configFile)
    {
        if (!File.Exists(configFile)) return null;
        var m = SnapshotterLine().Match(File.ReadAllText(configFile));
        return m.Success ? m.Groups[1].Value : null;
    }

    [GeneratedRegex("""snapshotter\s*=\s*"([^"]+)" """, RegexOptions.None)]
    private static partial Regex SnapshotterLine();

    /// <summary>The pod's sandboxes and containers, through CRI.</summary>
    public async Task<(IReadOnlyList<SandboxInfo> Sandboxes, IReadOnlyList<ContainerInfo> Containers)> RuntimeObjectsOfAsync(string podUid, CancellationToken ct)
    {
        var sandboxes = await Cri.ListSandboxesAsync(new Dictionary<string, string> { [RuntimeLabels.PodUid] = podUid }, ct);
        lock (_sandboxIds) foreach (var s in sandboxes) _sandboxIds.Add(s.Id);
        var containers = await Cri.ListContainersAsync(new ContainerFilter { Labels = new Dictionary<string, string> { [RuntimeLabels.PodUid] = podUid } }, ct);
        return (sandboxes, containers);
    }

    /// <summary>The PID of a container's process, from <c>ctr task ls</c> (CRI's status does not carry it).</summary>
    public async Task<int> PidOfAsync(string containerId)
    {
        var psi = new ProcessStartInfo("ctr", ["-a", Containerd.Socket, "-n", ImageImporter.CriNamespace, "task", "ls"]) { RedirectStandardOutput = true };
        using var p = Process.Start(psi)!;
        var output = await p.StandardOutput.ReadToEndAsync();
        await p.WaitForExitAsync();
        var line = output.Split('\n').FirstOrDefault(l => l.StartsWith(containerId, StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"container {containerId} has no task:\n{output}");
        return int.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);
    }

    /// <summary>curl inside the node namespace.</summary>
    public Task<string> CurlAsync(string url) => Node.ExecAsync("curl", "-sS", "--max-time", "5", url);

    /// <summary>
    /// Removes every sandbox through CRI (CNI DEL runs), stops the agent (and with it containerd), kills what is
    /// left in the namespace (shims), deletes it and the data. Idempotent; runs also when the test failed, and when
    /// containerd is already gone (a Ctrl+C reaches every process of the terminal's group): then a containerd on the
    /// same state is started just to remove the sandboxes.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        try
        {
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            // Kill the agent alone first, so it recreates nothing; its containerd lives on for the CRI calls.
            if (Node.Agent is { } agent) await agent.KillAloneAsync();
            var teardown = new LabSandboxTeardown(Node.Netns, ContainerdOptions, id => { lock (_sandboxIds) _sandboxIds.Add(id); });
            await teardown.RunAsync(Cri, deadline.Token);
        }
        catch (Exception e) when (e is RuntimeException or OperationCanceledException or TimeoutException)
        {
            // Best effort: the namespace teardown below still removes what runs.
        }
        finally
        {
            Cri?.Dispose();
            await Node.DisposeAsync();
        }
    }
}

/// <summary>Which images a lab imports besides the pause image.</summary>
[Flags]
public enum LabImages
{
    /// <summary>Only the pause image.</summary>
    None = 0,
    /// <summary>nginx from Debian's package.</summary>
    Nginx = 1,
    /// <summary>busybox.</summary>
    Busybox = 2,
    /// <summary>Everything the E2E uses.</summary>
    All = Nginx | Busybox,
}
