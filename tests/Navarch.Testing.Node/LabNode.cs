using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using k8s;

namespace Navarch.Testing;

/// <summary>
/// One node of a test's own: a network namespace with loopback and an <c>eth0</c> (a veth whose peer stays inside,
/// since dummy links do not work here) carrying the node address, a <c>navarch server</c> on 127.0.0.1 inside it,
/// and optionally a <c>navarch agent</c>. The test reaches the server through connections opened inside the
/// namespace (<see cref="LabSockets"/>), and runs kubectl inside it. Nothing of it touches the root namespace.
/// Disposing stops the processes, kills what is left in the namespace, deletes it and the data dirs; idempotent.
/// </summary>
public sealed class LabNode : IAsyncDisposable
{
    private readonly List<LabProcess> _agents = [];
    private int _disposed;

    private LabNode(NetNs netns, string nodeName, IPAddress nodeIp, string dataDir, int apiPort)
    {
        Netns = netns;
        NodeName = nodeName;
        NodeIp = nodeIp;
        DataDir = dataDir;
        ApiPort = apiPort;
        Client = new Kubernetes(new KubernetesClientConfiguration
        {
            Host = ServerUrl,
            FirstMessageHandlerSetup = handler =>
            {
                if (handler is not SocketsHttpHandler sockets) throw new InvalidOperationException($"the client's handler is a {handler.GetType().Name}, not a SocketsHttpHandler");
                sockets.ConnectCallback = LabSockets.ConnectCallback(netns.Path);
            },
        });
        KubectlScript = Path.Combine(dataDir, "kubectl");
        File.WriteAllText(KubectlScript, $"#!/bin/sh\nexec nsenter --net={netns.Path} {Kubectl.Default} \"$@\"\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(KubectlScript, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        Kubectl = new Kubectl(ServerUrl, KubectlScript);
    }

    /// <summary>The node's network namespace.</summary>
    public NetNs Netns { get; }

    /// <summary>The node's name.</summary>
    public string NodeName { get; }

    /// <summary>The server's default service cluster IP range, routed to eth0 inside the node.</summary>
    public const string ServiceRange = "10.96.0.0/12";

    /// <summary>The node's address on its eth0 (exists only inside the namespace).</summary>
    public IPAddress NodeIp { get; }

    /// <summary>The lab's directory: server data, agent data, kubectl wrapper.</summary>
    public string DataDir { get; }

    /// <summary>The agent's data directory.</summary>
    public string AgentDataDir => Path.Combine(DataDir, "agent");

    /// <summary>The API server's port on 127.0.0.1 inside the namespace.</summary>
    public int ApiPort { get; }

    /// <summary>The API server's URL as seen from inside the namespace.</summary>
    public string ServerUrl => $"http://127.0.0.1:{ApiPort}";

    /// <summary>The official client, connected through the namespace.</summary>
    public IKubernetes Client { get; }

    /// <summary>Real kubectl, run inside the namespace.</summary>
    public Kubectl Kubectl { get; }

    /// <summary>The kubectl wrapper script (<c>nsenter --net=… kubectl "$@"</c>).</summary>
    public string KubectlScript { get; }

    /// <summary>The server process.</summary>
    public LabProcess Server { get; private set; } = null!;

    /// <summary>The running agent, if any.</summary>
    public LabProcess? Agent => _agents.LastOrDefault(a => !a.HasExited);

    /// <summary>Time from server start to its first 200 on /readyz.</summary>
    public TimeSpan ServerReadyAfter { get; private set; }

    /// <summary>
    /// Creates the namespace and its eth0 with <paramref name="nodeIp"/>/24 (default 192.168.0.201), and starts
    /// <c>navarch server</c> inside it with <paramref name="serverArgs"/> added (e.g. <c>--cluster-cidr</c>).
    /// </summary>
    public static async Task<LabNode> StartAsync(string nodeName = "node1", string nodeIp = "192.168.0.201", params string[] serverArgs)
    {
        var netns = await NetNs.CreateAsync("nvlab");
        var dir = Directory.CreateTempSubdirectory("navarch-lab-").FullName;
        LabNode? node = null;
        try
        {
            await netns.ExecAsync("ip", "link", "add", "eth0", "type", "veth", "peer", "name", "eth0-peer");
            await netns.ExecAsync("ip", "addr", "add", nodeIp + "/24", "dev", "eth0");
            await netns.ExecAsync("ip", "link", "set", "eth0-peer", "up");
            await netns.ExecAsync("ip", "link", "set", "eth0", "up");
            // The server's default service range: without a route connect() to a cluster IP fails before the
            // proxy's nat rules see the packet (the lab of `navarch up` does the same).
            await netns.ExecAsync("ip", "route", "add", ServiceRange, "dev", "eth0");
            node = new LabNode(netns, nodeName, IPAddress.Parse(nodeIp), dir, FreePort());
            await node.StartServerAsync(serverArgs);
            return node;
        }
        catch
        {
            if (node is not null) await node.DisposeAsync();
            else
            {
                await netns.DisposeAsync();
                Directory.Delete(dir, recursive: true);
            }
            throw;
        }
    }

    private async Task StartServerAsync(string[] serverArgs)
    {
        var serverDir = Path.Combine(DataDir, "server");
        Directory.CreateDirectory(serverDir);
        var clock = Stopwatch.StartNew();
        Server = LabProcess.Start(Netns.Path, "dotnet",
            [NavarchDll, "server", "--data-dir", serverDir, "--bind", "127.0.0.1", "--insecure-port", ApiPort.ToString(), .. serverArgs]);
        using var http = new HttpClient(LabSockets.Handler(Netns.Path)) { Timeout = TimeSpan.FromSeconds(2) };
        await Poll.UntilAsync("navarch server ready inside the node namespace", async () =>
        {
            if (Server.HasExited) throw new InvalidOperationException($"navarch server exited:\n{Server.Output}");
            try
            {
                return (await http.GetAsync($"{ServerUrl}/readyz")).IsSuccessStatusCode;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or SocketException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(30), () => Server.Output);
        ServerReadyAfter = clock.Elapsed;
    }

    /// <summary>Starts <c>navarch agent</c> inside the namespace for this node (server, name, IP, data dir set) with <paramref name="args"/> added.</summary>
    public LabProcess StartAgent(params string[] args)
    {
        Directory.CreateDirectory(AgentDataDir);
        var agent = LabProcess.Start(Netns.Path, "dotnet",
            [NavarchDll, "agent", "--server", ServerUrl, "--node-name", NodeName, "--node-ip", NodeIp.ToString(), "--data-dir", AgentDataDir, .. args]);
        _agents.Add(agent);
        return agent;
    }

    /// <summary>Runs a program inside the namespace to completion and returns its stdout (throws with stderr on failure).</summary>
    public Task<string> ExecAsync(string program, params string[] args) => Netns.ExecAsync(program, args);

    /// <summary>Stops the agents and the server, kills whatever still runs in the namespace (shims), deletes it and the data. Idempotent.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        foreach (var agent in _agents)
        {
            await agent.StopAsync(TimeSpan.FromSeconds(10));
            await agent.DisposeAsync();
        }
        if (Server is not null) await Server.DisposeAsync();
        Kubectl.Dispose();
        Client.Dispose();
        await Netns.DisposeAsync();
        try { Directory.Delete(DataDir, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    /// <summary>navarch.dll beside the tests (the test project references src/Navarch).</summary>
    public static string NavarchDll
    {
        get
        {
            var dll = Path.Combine(AppContext.BaseDirectory, "navarch.dll");
            return File.Exists(dll) ? dll : throw new FileNotFoundException("navarch.dll is not beside the tests; reference src/Navarch", dll);
        }
    }

    private static int FreePort()
    {
        // A port free on the host is as good as any inside a fresh namespace, which has nothing listening.
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}
