using k8s;
using Microsoft.Extensions.Logging.Abstractions;
using Navarch.Agent.Node;
using Navarch.Agent.Runtime;
using Navarch.Cri;

namespace Navarch.Agent.Tests.Pods;

/// <summary>An in-process agent on a <see cref="FakeRuntime"/> the test keeps (so its state survives agent restarts), with fast timings.</summary>
internal sealed class TestAgent : IAsyncDisposable
{
    private static readonly MachineInfo Machine = new() { Cpus = 2, MemoryKi = 4_000_000, EphemeralStorageKi = 10_000_000, MachineId = "test", OsImage = "Test" };

    private readonly CancellationTokenSource _stop = new();
    private readonly Task _run;
    private readonly string _dataDir;

    private TestAgent(string url, AgentOptions options, FakeRuntime runtime)
    {
        _dataDir = options.DataDir;
        Client = new Kubernetes(new KubernetesClientConfiguration { Host = url });
        var shared = AgentShared.ForNode(Client, options.NodeName, TimeProvider.System, NullLoggerFactory.Instance);
        var host = new AgentHost(options, runtime, shared, machine: Machine);
        var informers = shared.RunAsync(_stop.Token);
        _run = Task.WhenAll(informers, host.RunAsync(_stop.Token));
    }

    public IKubernetes Client { get; }

    /// <summary>The agent's data directory (pod volumes under <c>pod-volumes/</c>).</summary>
    public string DataDir => _dataDir;

    public static TestAgent Start(string url, string nodeName, FakeRuntime runtime, TimeSpan? syncFrequency = null) => new(url, new AgentOptions
    {
        NodeName = nodeName,
        NodeIp = "127.0.0.9",
        DataDir = Directory.CreateTempSubdirectory("navarch-agent-").FullName,
        BackOffInitial = TimeSpan.FromSeconds(1),
        BackOffMax = TimeSpan.FromSeconds(4),
        RelistPeriod = TimeSpan.FromMilliseconds(100),
        LeaseRenewInterval = TimeSpan.FromSeconds(1),
        NodeStatusUpdateFrequency = TimeSpan.FromSeconds(1),
        OrphanGracePeriod = TimeSpan.Zero,
        SyncFrequency = syncFrequency ?? TimeSpan.FromMinutes(1),
    }, runtime);

    /// <summary>Stops the agent (not its pods), like SIGTERM.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try { await _run.WaitAsync(TimeSpan.FromSeconds(10)); }
        catch (OperationCanceledException) { }
        _stop.Dispose();
        Client.Dispose();
        try { Directory.Delete(_dataDir, recursive: true); } catch (IOException) { }
    }
}
