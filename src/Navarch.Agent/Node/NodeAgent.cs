using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Navarch.Cri;

namespace Navarch.Agent.Node;

/// <summary>
/// The node half of the agent: registers the Node, keeps its status current (written on change and at least
/// every <see cref="AgentOptions.NodeStatusReportFrequency"/>), renews its lease, and waits for
/// <c>spec.podCIDR</c> to hand it to the runtime and the pod network before pods start.
/// </summary>
public sealed partial class NodeAgent(
    IKubernetes client, ICriRuntime runtime, AgentOptions options, MachineInfo machine,
    IReadOnlyList<IPodNetworkSetup> network, HeartbeatWheel wheel, TimeProvider time, ILogger log)
{
    private readonly TaskCompletionSource<string> _podCidr = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly NodeLease _lease = new(client, options.NodeName, options.LeaseDuration, time);
    private readonly List<IDisposable> _beats = [];
    // Guards the last written status and when it was written (the status beat and the pod CIDR task both write).
    private readonly SemaphoreSlim _statusLock = new(1, 1);
    private V1NodeStatus? _written;
    private DateTimeOffset _writtenAt;
    private string? _appliedCidr;

    /// <summary>The runtime's version, once <see cref="StartAsync"/> returned.</summary>
    public RuntimeVersion? RuntimeVersion { get; private set; }

    /// <summary>Completes with the node's pod CIDR once the runtime and the pod network have it (empty if the agent does not wait for one).</summary>
    public Task<string> PodCidr => _podCidr.Task;

    /// <summary>
    /// Waits for the runtime to answer, registers the Node (retrying while the API server is unreachable),
    /// writes its first status and starts the lease and status beats on the wheel. The pod CIDR is awaited in
    /// the background until <paramref name="ct"/> is cancelled.
    /// </summary>
    public async Task StartAsync(CancellationToken ct)
    {
        RuntimeVersion = await RetryAsync("runtime version", () => runtime.VersionAsync(ct), ct);
        var node = await RetryAsync("node registration", () => RegisterAsync(ct), ct);
        _lease.NodeUid = node.Metadata.Uid;
        await RetryAsync("node status", () => UpdateStatusAsync(force: true, ct), ct);
        await RetryAsync("node lease", () => _lease.RenewAsync(ct), ct);
        _beats.Add(wheel.Add($"lease {options.NodeName}", options.LeaseRenewInterval, _lease.RenewAsync, options.LeaseRenewInterval));
        _beats.Add(wheel.Add($"status {options.NodeName}", options.NodeStatusUpdateFrequency, token => UpdateStatusAsync(force: false, token), options.NodeStatusUpdateFrequency));
        if (!options.WaitForPodCidr) _podCidr.TrySetResult("");
        _ = Task.Run(() => WaitForPodCidrAsync(node, ct), CancellationToken.None);
    }

    /// <summary>Stops the beats (the Node and its lease stay; the lease expires).</summary>
    public void Stop()
    {
        foreach (var b in _beats) b.Dispose();
        _beats.Clear();
    }

    private async Task<V1Node> RegisterAsync(CancellationToken ct)
    {
        try
        {
            var created = await client.CoreV1.CreateNodeAsync(NodeStatusBuilder.NewNode(options.NodeName, options.PodCidr), cancellationToken: ct);
            LogRegistered(options.NodeName);
            return created;
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.Conflict)
        {
            return await client.CoreV1.ReadNodeAsync(options.NodeName, cancellationToken: ct);
        }
    }

    /// <summary>Computes the status; writes it when it changed or the report period is over (or <paramref name="force"/>).</summary>
    private async Task UpdateStatusAsync(bool force, CancellationToken ct)
    {
        RuntimeHealth? health = null;
        string? error = null;
        try { health = await runtime.StatusAsync(ct); }
        catch (RuntimeException e) { error = e.Message; }
        await _statusLock.WaitAsync(ct);
        try
        {
            var now = time.GetUtcNow();
            var status = NodeStatusBuilder.Build(new NodeStatusInput
            {
                NodeName = options.NodeName,
                NodeIp = options.NodeIp,
                Machine = machine,
                MaxPods = options.MaxPods,
                Port = options.Port,
                KubeletVersion = options.KubeletVersion,
                Runtime = RuntimeVersion,
                Health = health,
                HealthError = error,
                Previous = _written,
                Now = now.UtcDateTime,
            });
            if (!force && NodeStatusBuilder.SameIgnoringHeartbeats(_written, status) && now - _writtenAt < options.NodeStatusReportFrequency) return;
            var patch = new V1Patch(KubernetesJson.Serialize(new V1Node { Status = status }), V1Patch.PatchType.MergePatch);
            var node = await client.CoreV1.PatchNodeStatusAsync(patch, options.NodeName, cancellationToken: ct);
            _written = status;
            _writtenAt = now;
            if (Cidr(node) is { } cidr && _appliedCidr is not null && cidr != _appliedCidr) _ = Task.Run(() => ApplyCidrAsync(cidr, ct), CancellationToken.None);
        }
        finally
        {
            _statusLock.Release();
        }
    }

    private async Task WaitForPodCidrAsync(V1Node node, CancellationToken ct)
    {
        var delay = TimeSpan.FromMilliseconds(100);
        try
        {
            while (Cidr(node) is null)
            {
                await Task.Delay(delay, time, ct);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(2).Ticks));
                try { node = await client.CoreV1.ReadNodeAsync(options.NodeName, cancellationToken: ct); }
                catch (HttpOperationException e) { LogPodCidrWait(options.NodeName, e.Message); }
                catch (HttpRequestException e) { LogPodCidrWait(options.NodeName, e.Message); }
            }
            await ApplyCidrAsync(Cidr(node)!, ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    private async Task ApplyCidrAsync(string cidr, CancellationToken ct)
    {
        await RetryAsync("pod CIDR", async () =>
        {
            await runtime.UpdatePodCidrAsync(cidr, ct);
            foreach (var n in network) await n.ApplyPodCidrAsync(cidr, ct);
            return true;
        }, ct);
        _appliedCidr = cidr;
        LogPodCidr(options.NodeName, cidr);
        _podCidr.TrySetResult(cidr);
        try { await UpdateStatusAsync(force: false, ct); }
        catch (Exception e) when (e is HttpOperationException or HttpRequestException) { LogStatusFailed(options.NodeName, e.Message); }
    }

    private static string? Cidr(V1Node node) =>
        node.Spec?.PodCIDR is { Length: > 0 } c ? c : node.Spec?.PodCIDRs?.FirstOrDefault(s => !string.IsNullOrEmpty(s));

    /// <summary>Calls <paramref name="action"/> until it succeeds, backing off from 200 ms to 5 s; only cancellation stops it.</summary>
    private async Task<T> RetryAsync<T>(string what, Func<Task<T>> action, CancellationToken ct)
    {
        var delay = TimeSpan.FromMilliseconds(200);
        while (true)
        {
            try { return await action(); }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                LogRetry(options.NodeName, what, e.Message);
            }
            await Task.Delay(delay, time, ct);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
        }
    }

    private Task<bool> RetryAsync(string what, Func<Task> action, CancellationToken ct) =>
        RetryAsync(what, async () => { await action(); return true; }, ct);

    [LoggerMessage(EventId = 30, Level = LogLevel.Information, Message = "node {Node} registered")]
    private partial void LogRegistered(string node);

    [LoggerMessage(EventId = 31, Level = LogLevel.Information, Message = "node {Node} has pod CIDR {Cidr}")]
    private partial void LogPodCidr(string node, string cidr);

    [LoggerMessage(EventId = 32, Level = LogLevel.Warning, Message = "node {Node}: {What} failed, retrying: {Reason}")]
    private partial void LogRetry(string node, string what, string reason);

    [LoggerMessage(EventId = 33, Level = LogLevel.Debug, Message = "node {Node}: waiting for a pod CIDR: {Reason}")]
    private partial void LogPodCidrWait(string node, string reason);

    [LoggerMessage(EventId = 34, Level = LogLevel.Warning, Message = "node {Node}: status update failed: {Reason}")]
    private partial void LogStatusFailed(string node, string reason);
}
