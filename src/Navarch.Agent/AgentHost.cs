using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Navarch.Agent.Node;
using Navarch.Agent.Pods;
using Navarch.Agent.Probes;
using Navarch.Cri;
using Navarch.Client.Events;
using Navarch.Client.Informers;

namespace Navarch.Agent;

/// <summary>What the agent's server (logs, exec on :10250) gets to work with.</summary>
/// <param name="Options">The agent's options (node name, address, port).</param>
/// <param name="Runtime">The container runtime.</param>
/// <param name="Client">The API client.</param>
/// <param name="Loggers">Logger factory.</param>
public sealed record AgentServerContext(AgentOptions Options, ICriRuntime Runtime, IKubernetes Client, ILoggerFactory Loggers);

/// <summary>Starts the agent's server and returns it; disposing it stops it.</summary>
public delegate Task<IAsyncDisposable> AgentServerStart(AgentServerContext context, CancellationToken cancellationToken);

/// <summary>
/// What several agents in one process share: the API client, the pod and service informers (one watch
/// each however many nodes), the heartbeat wheel, the clock and the loggers. The caller runs the informers
/// and the wheel (<see cref="RunAsync"/>) after creating the agents.
/// </summary>
public sealed class AgentShared(IKubernetes client, Informer<V1Pod> pods, Informer<V1Service> services, HeartbeatWheel wheel, TimeProvider time, ILoggerFactory loggers)
{
    /// <summary>The API client.</summary>
    public IKubernetes Client { get; } = client;

    /// <summary>Pods bound to the agents' nodes (other pods are ignored).</summary>
    public Informer<V1Pod> Pods { get; } = pods;

    /// <summary>Every Service (for the service environment variables).</summary>
    public Informer<V1Service> Services { get; } = services;

    /// <summary>The wheel that runs lease and status beats.</summary>
    public HeartbeatWheel Wheel { get; } = wheel;

    /// <summary>The clock.</summary>
    public TimeProvider Time { get; } = time;

    /// <summary>Logger factory.</summary>
    public ILoggerFactory Loggers { get; } = loggers;

    /// <summary>The shared parts of one agent: a pod informer restricted to its node (<c>spec.nodeName</c> field selector).</summary>
    public static AgentShared ForNode(IKubernetes client, string nodeName, TimeProvider time, ILoggerFactory loggers) => new(
        client,
        new Informer<V1Pod>(ListWatches.For<V1Pod>(client, $"spec.nodeName={nodeName}"), TimeSpan.FromMinutes(1), time, loggers.CreateLogger("Navarch.Agent.Pods")),
        new Informer<V1Service>(ListWatches.For<V1Service>(client), TimeSpan.Zero, time, loggers.CreateLogger("Navarch.Agent.Services")),
        new HeartbeatWheel(time, loggers.CreateLogger<HeartbeatWheel>()),
        time,
        loggers);

    /// <summary>Runs the informers and the wheel until cancelled.</summary>
    public Task RunAsync(CancellationToken ct) => Task.WhenAll(
        Pods.RunAsync(ct),
        Services.RunAsync(ct),
        Wheel.RunAsync(ct));
}

/// <summary>
/// One node agent: the node (<see cref="NodeAgent"/>), the pod sync (<see cref="PodSyncLoop"/>), the probes
/// and, if given, the agent's server. Create it before the shared informers start (it subscribes to them).
/// Stopping it (cancelling <see cref="RunAsync"/>) leaves every pod running: a new agent adopts them.
/// </summary>
public sealed class AgentHost
{
    private readonly AgentOptions _options;
    private readonly ICriRuntime _runtime;
    private readonly AgentShared _shared;
    private readonly IProbeManager _probes;
    private readonly AgentServerStart? _server;
    private readonly PodSyncLoop _loop;

    /// <summary>Wires an agent for <paramref name="options"/>'s node.</summary>
    /// <param name="options">Validated options.</param>
    /// <param name="runtime">The node's container runtime.</param>
    /// <param name="shared">Client, informers, wheel, clock, loggers.</param>
    /// <param name="probes">The probe manager; null runs no probes (<see cref="RunningIsReady"/>).</param>
    /// <param name="network">What must learn the pod CIDR before pods start (the CNI configuration).</param>
    /// <param name="server">Starts the agent's server (logs, exec), or null for none.</param>
    /// <param name="machine">The machine's facts; null reads this machine's.</param>
    public AgentHost(AgentOptions options, ICriRuntime runtime, AgentShared shared, IProbeManager? probes = null,
        IReadOnlyList<IPodNetworkSetup>? network = null, AgentServerStart? server = null, MachineInfo? machine = null)
    {
        options.Validate();
        _options = options;
        _runtime = runtime;
        _shared = shared;
        _probes = probes ?? new RunningIsReady();
        _server = server;
        Node = new NodeAgent(shared.Client, runtime, options, machine ?? MachineInfo.Read("/", options.DataDir),
            network ?? [], shared.Wheel, shared.Time, shared.Loggers.CreateLogger<NodeAgent>());
        _loop = new PodSyncLoop(shared.Pods, options.NodeName, new RuntimeRelister(runtime), _probes,
            options.RelistPeriod, options.KeepPodLogs ? options.SyncFrequency : TimeSpan.Zero, shared.Time, shared.Loggers.CreateLogger<PodSyncLoop>());
    }

    /// <summary>The node half (registration, status, lease, pod CIDR).</summary>
    public NodeAgent Node { get; }

    /// <summary>
    /// Registers the node, starts the server, and syncs pods until <paramref name="ct"/> is cancelled; then
    /// stops the beats and the server but not the pods. The shared informers must be running.
    /// </summary>
    public async Task RunAsync(CancellationToken ct)
    {
        await Node.StartAsync(ct);
        IAsyncDisposable? server = null;
        try
        {
            if (_server is not null)
                server = await _server(new AgentServerContext(_options, _runtime, _shared.Client, _shared.Loggers), ct);
            await _shared.Services.WaitForSyncAsync(ct);
            var syncer = CreateSyncer();
            await _loop.RunAsync(syncer, _options.Workers, Node.PodCidr, ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        finally
        {
            Node.Stop();
            if (server is not null) await server.DisposeAsync();
        }
    }

    private PodSyncer CreateSyncer()
    {
        var time = _shared.Time;
        var events = new EventRecorder(_shared.Client, "kubelet", _options.NodeName, time, _shared.Loggers.CreateLogger<EventRecorder>());
        var settings = new PodSyncSettings(
            _options.NodeName,
            _options.NodeIp,
            _options.PodLogDirectory,
            _options.CgroupRoot,
            ReadNodeDns(_options.ResolvConfPath),
            Node.RuntimeVersion?.Name ?? "unknown",
            _options.OrphanGracePeriod,
            _options.ClusterDns,
            TimeSpan.FromTicks(Math.Min(TimeSpan.FromSeconds(10).Ticks, _options.SyncFrequency.Ticks)),
            _options.EndpointDrain);
        var restarts = new ContainerBackOff(_options.BackOffInitial, _options.BackOffMax, time);
        var pulls = new ContainerBackOff(_options.BackOffInitial, _options.BackOffMax, time);
        var images = new ImagePuller(_runtime, events, pulls, _options.OfflineImages);
        var volumes = new PodVolumes(_options.PodVolumeDirectory);
        var objects = new ApiReferencedObjects(_shared.Client);
        var tokens = new ServiceAccountTokens(objects, time);
        var projections = new ProjectedVolumes(_options.PodVolumeDirectory, new VolumeContents(objects, tokens, NodeAllocatable.Machine), tokens, time);
        var hosts = new PodHostsFile(_options.PodVolumeDirectory, _options.ClusterDns?.Domain ?? ClusterDnsSettings.DefaultDomain);
        var starter = new ContainerStarter(_runtime, images, volumes, events, () => _shared.Services.List(), settings,
            (pod, container, ct) => EnvSources.ReadAsync(objects, pod, container, ct), hosts);
        var actions = new PodActions(starter, new PodTerminator(_runtime, events, SharedHttp), new PodStatusWriter(_shared.Client), events, volumes, projections);
        return new PodSyncer(_shared.Client, _runtime, actions, _probes, restarts, settings, time, _shared.Loggers.CreateLogger<PodSyncer>());
    }

    // preStop httpGet hooks of every agent in the process share one client (no redirects, as upstream's hooks).
    private static readonly HttpClient SharedHttp = new(new SocketsHttpHandler { AllowAutoRedirect = false });

    private static DnsSpec ReadNodeDns(string path)
    {
        try { return PodDns.ParseResolvConf(File.ReadAllText(path)); }
        catch (IOException) { return new DnsSpec([], [], []); }
        catch (UnauthorizedAccessException) { return new DnsSpec([], [], []); }
    }
}
