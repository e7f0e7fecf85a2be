using System.Collections.Concurrent;
using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Navarch.Testing;

/// <summary>How <see cref="FakeNodes"/> shapes its nodes.</summary>
public sealed record FakeNodeOptions
{
    /// <summary>How many nodes: named <c>{NamePrefix}1</c> … <c>{NamePrefix}N</c>.</summary>
    public int Count { get; init; } = 3;
    public string NamePrefix { get; init; } = "node-";
    /// <summary>How often each live node renews its Lease and posts status, and the stand-in kubelet re-checks pods.</summary>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(1);
    public string Cpu { get; init; } = "4";
    public string Memory { get; init; } = "8Gi";
    public string Pods { get; init; } = "110";
    /// <summary>Node i (from 1) gets InternalIP <c>{AddressPrefix}{FirstAddress + i - 1}</c> (the seed's 192.168.0.201…).</summary>
    public string AddressPrefix { get; init; } = "192.168.0.";
    public int FirstAddress { get; init; } = 201;
    /// <summary>Whether the stand-in kubelet runs pods bound to these nodes.</summary>
    public bool RunKubelet { get; init; } = true;
    /// <summary>What becomes of each pod the stand-in kubelet runs (default: Running and Ready).</summary>
    public Func<V1Pod, FakePodOutcome> PodOutcome { get; init; } = _ => FakePodOutcome.Ready;
}

/// <summary>What the stand-in kubelet makes of a pod.</summary>
public enum FakePodOutcome
{
    /// <summary>Running, every container ready.</summary>
    Ready,
    /// <summary>Running but never ready (an image that cannot start serving).</summary>
    NeverReady,
    /// <summary>Its containers exit 0: phase Succeeded.</summary>
    Succeeded,
    /// <summary>Its containers exit 1: phase Failed.</summary>
    Failed,
}

/// <summary>
/// Fake nodes for integration tests, over the official client: registers Node objects (Ready, with capacity and
/// addresses), keeps them alive with Lease renewals and status heartbeats, and runs a stand-in kubelet that
/// marks pods bound to them Running with an IP from the node's podCIDR and finishes their deletion.
/// <see cref="StopHeartbeat"/> makes a node die (no lease, no status, no kubelet) until <see cref="ResumeHeartbeat"/>.
/// Disposing stops every loop; the Node objects stay (the server usually goes with them).
/// </summary>
public sealed partial class FakeNodes : IAsyncDisposable
{
    private readonly IKubernetes _client;
    private readonly FakeNodeOptions _options;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _loops = [];
    private readonly Dictionary<string, string> _addresses = [];
    // Nodes whose heartbeat and kubelet are stopped (dead).
    private readonly ConcurrentDictionary<string, bool> _dead = new();
    // Node name → when it last turned Ready (the Ready condition's lastTransitionTime).
    private readonly ConcurrentDictionary<string, DateTime> _readySince = new();

    private FakeNodes(IKubernetes client, FakeNodeOptions options)
    {
        _client = client;
        _options = options;
        for (var i = 1; i <= options.Count; i++) _addresses[$"{options.NamePrefix}{i}"] = $"{options.AddressPrefix}{options.FirstAddress + i - 1}";
    }

    public IReadOnlyList<string> Names => [.. _addresses.Keys];

    public IKubernetes Client => _client;

    /// <summary>The node's InternalIP.</summary>
    public string AddressOf(string node) => _addresses[node];

    /// <summary>How many times the stand-in kubelet wrote a pod's status (for tests of the harness itself).</summary>
    public int PodStatusWrites => _podStatusWrites;

    /// <summary>Registers the nodes and their leases and starts heartbeats (and the kubelet); returns once all exist.</summary>
    public static async Task<FakeNodes> StartAsync(IKubernetes client, FakeNodeOptions? options = null, CancellationToken ct = default)
    {
        var nodes = new FakeNodes(client, options ?? new FakeNodeOptions());
        try
        {
            foreach (var name in nodes.Names) await nodes.RegisterAsync(name, ct);
            nodes._loops.Add(Task.Run(() => nodes.HeartbeatLoopAsync(nodes._stop.Token), CancellationToken.None));
            if (nodes._options.RunKubelet)
            {
                nodes._loops.Add(Task.Run(() => nodes.KubeletWatchLoopAsync(nodes._stop.Token), CancellationToken.None));
                nodes._loops.Add(Task.Run(() => nodes.KubeletResyncLoopAsync(nodes._stop.Token), CancellationToken.None));
            }
            return nodes;
        }
        catch
        {
            await nodes.DisposeAsync();
            throw;
        }
    }

    /// <summary>The node stops renewing its Lease, posting status, and running or finishing pods: it looks dead.</summary>
    public void StopHeartbeat(string node)
    {
        if (!_addresses.ContainsKey(node)) throw new ArgumentException($"no fake node {node}", nameof(node));
        _dead[node] = true;
    }

    /// <summary>The node comes back: heartbeats resume (Ready again) and the kubelet picks up its pods.</summary>
    public void ResumeHeartbeat(string node)
    {
        if (_dead.TryRemove(node, out _)) _readySince[node] = DateTime.UtcNow;
    }

    public bool IsAlive(string node) => _addresses.ContainsKey(node) && !_dead.ContainsKey(node);

    private async Task RegisterAsync(string name, CancellationToken ct)
    {
        var now = DateTime.UtcNow;
        _readySince[name] = now;
        var resources = new Dictionary<string, ResourceQuantity>
        {
            ["cpu"] = new(_options.Cpu),
            ["memory"] = new(_options.Memory),
            ["pods"] = new(_options.Pods),
            ["ephemeral-storage"] = new("100Gi"),
        };
        var node = new V1Node
        {
            ApiVersion = "v1",
            Kind = "Node",
            Metadata = new V1ObjectMeta
            {
                Name = name,
                Labels = new Dictionary<string, string>
                {
                    ["kubernetes.io/hostname"] = name,
                    ["kubernetes.io/os"] = "linux",
                    ["kubernetes.io/arch"] = "amd64",
                },
            },
            Spec = new V1NodeSpec(),
            Status = new V1NodeStatus
            {
                Capacity = resources,
                Allocatable = resources,
                Addresses = [new V1NodeAddress { Type = "InternalIP", Address = _addresses[name] }, new V1NodeAddress { Type = "Hostname", Address = name }],
                Conditions = Conditions(name, now),
                NodeInfo = new V1NodeSystemInfo
                {
                    MachineID = name, SystemUUID = name, BootID = name, KernelVersion = "6.18.0", OsImage = "Navarch fake node",
                    ContainerRuntimeVersion = "fake://0.1", KubeletVersion = "v1.32.0", KubeProxyVersion = "v1.32.0",
                    OperatingSystem = "linux", Architecture = "amd64",
                },
            },
        };
        V1Node created;
        try { created = await _client.CoreV1.CreateNodeAsync(node, cancellationToken: ct); }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
        {
            created = await _client.CoreV1.ReadNodeAsync(name, cancellationToken: ct);
        }
        // Some servers drop status on create: post it as a kubelet would.
        await _client.CoreV1.PatchNodeStatusAsync(new V1Patch(KubernetesJson.Serialize(new { status = node.Status }), V1Patch.PatchType.MergePatch), name, cancellationToken: ct);
        await RenewLeaseAsync(created, ct);
    }

    private List<V1NodeCondition> Conditions(string name, DateTime now)
    {
        var since = _readySince.GetValueOrDefault(name, now);
        V1NodeCondition C(string type, string status, string reason, string message) => new()
        {
            Type = type, Status = status, Reason = reason, Message = message, LastHeartbeatTime = now, LastTransitionTime = since,
        };
        return
        [
            C("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
            C("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
            C("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
            C("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
        ];
    }

    private async Task HeartbeatLoopAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(_options.HeartbeatInterval);
        while (await Tick(timer, ct))
        {
            foreach (var name in Names.Where(IsAlive))
            {
                try
                {
                    var now = DateTime.UtcNow;
                    await RenewLeaseAsync(null, ct, name);
                    var body = KubernetesJson.Serialize(new { status = new { conditions = Conditions(name, now) } });
                    await _client.CoreV1.PatchNodeStatusAsync(new V1Patch(body, V1Patch.PatchType.MergePatch), name, cancellationToken: ct);
                }
                catch (Exception e) when (e is HttpOperationException or HttpRequestException) { }
            }
        }
    }

    private async Task RenewLeaseAsync(V1Node? created, CancellationToken ct, string? nodeName = null)
    {
        var name = created?.Metadata.Name ?? nodeName!;
        var renew = DateTime.UtcNow;
        try
        {
            var body = $"{{\"spec\":{{\"holderIdentity\":\"{name}\",\"leaseDurationSeconds\":40,\"renewTime\":\"{renew:yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'}\"}}}}";
            await _client.CoordinationV1.PatchNamespacedLeaseAsync(new V1Patch(body, V1Patch.PatchType.MergePatch), name, "kube-node-lease", cancellationToken: ct);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            var node = created ?? await _client.CoreV1.ReadNodeAsync(name, cancellationToken: ct);
            var lease = new V1Lease
            {
                Metadata = new V1ObjectMeta
                {
                    Name = name,
                    NamespaceProperty = "kube-node-lease",
                    OwnerReferences = [new V1OwnerReference { ApiVersion = "v1", Kind = "Node", Name = name, Uid = node.Metadata.Uid }],
                },
                Spec = new V1LeaseSpec { HolderIdentity = name, LeaseDurationSeconds = 40, RenewTime = renew },
            };
            try { await _client.CoordinationV1.CreateNamespacedLeaseAsync(lease, "kube-node-lease", cancellationToken: ct); }
            catch (HttpOperationException c) when (c.Response.StatusCode == HttpStatusCode.Conflict) { }
        }
    }

    private static async Task<bool> Tick(PeriodicTimer timer, CancellationToken ct)
    {
        try { return await timer.WaitForNextTickAsync(ct); }
        catch (OperationCanceledException) { return false; }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested) _stop.Cancel();
        try { await Task.WhenAll(_loops).WaitAsync(TimeSpan.FromSeconds(10)); }
        catch (Exception) { /* the loops end with the token; their failures don't matter now */ }
        _stop.Dispose();
    }
}
