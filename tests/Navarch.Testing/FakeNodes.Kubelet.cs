using System.Collections.Concurrent;
using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Navarch.Testing;

/// <summary>The stand-in kubelet of <see cref="FakeNodes"/>: runs nothing, only writes what a kubelet would.</summary>
public sealed partial class FakeNodes
{
    private int _podStatusWrites;
    // Pod uid → the IP it was given (stable across re-checks).
    private readonly ConcurrentDictionary<string, string> _podIps = new();
    // Node name → the next host number inside its podCIDR (.0 is the network, .1 the bridge).
    private readonly ConcurrentDictionary<string, int> _nextHost = new();
    // Guards one pod being handled by the watch and the resync at once.
    private readonly SemaphoreSlim _podLock = new(1, 1);

    /// <summary>Watches pods and handles each change (re-listing whenever the watch ends or fails).</summary>
    private async Task KubeletWatchLoopAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                var list = await _client.CoreV1.ListPodForAllNamespacesAsync(cancellationToken: ct);
                foreach (var pod in list.Items) await HandlePodAsync(pod, ct);
                await foreach (var (type, pod) in _client.CoreV1.WatchListPodForAllNamespacesAsync(
                    resourceVersion: list.Metadata.ResourceVersion, timeoutSeconds: 60, cancellationToken: ct))
                {
                    if (type is WatchEventType.Added or WatchEventType.Modified) await HandlePodAsync(pod, ct);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested) { return; }
            catch (Exception)
            {
                try { await Task.Delay(200, ct); } catch (OperationCanceledException) { return; }
            }
        }
    }

    /// <summary>Re-checks every pod each heartbeat, for pods that waited on a podCIDR or on a node coming back.</summary>
    private async Task KubeletResyncLoopAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(_options.HeartbeatInterval);
        while (await Tick(timer, ct))
        {
            try
            {
                var list = await _client.CoreV1.ListPodForAllNamespacesAsync(cancellationToken: ct);
                foreach (var pod in list.Items) await HandlePodAsync(pod, ct);
            }
            catch (Exception e) when (e is HttpOperationException or HttpRequestException) { }
        }
    }

    private async Task HandlePodAsync(V1Pod pod, CancellationToken ct)
    {
        var node = pod.Spec?.NodeName;
        if (node is null || !IsAlive(node)) return;
        await _podLock.WaitAsync(ct);
        try
        {
            if (pod.Metadata.DeletionTimestamp is not null)
            {
                // The containers are "stopped": finish the deletion as a kubelet does.
                try
                {
                    await _client.CoreV1.DeleteNamespacedPodAsync(pod.Metadata.Name, pod.Metadata.NamespaceProperty,
                        new V1DeleteOptions { GracePeriodSeconds = 0, Preconditions = new V1Preconditions { Uid = pod.Metadata.Uid } }, cancellationToken: ct);
                }
                catch (HttpOperationException e) when (e.Response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Conflict) { }
                return;
            }
            if (pod.Status?.Phase == "Running" && !string.IsNullOrEmpty(pod.Status.PodIP)) return;
            if (pod.Status?.Phase is "Succeeded" or "Failed") return;
            var ip = await PodIpAsync(pod, node, ct);
            if (ip is null) return;
            await WriteRunningAsync(pod, node, ip, ct);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Conflict) { }
        finally
        {
            _podLock.Release();
        }
    }

    private async Task<string?> PodIpAsync(V1Pod pod, string nodeName, CancellationToken ct)
    {
        if (_podIps.TryGetValue(pod.Metadata.Uid, out var known)) return known;
        var node = await _client.CoreV1.ReadNodeAsync(nodeName, cancellationToken: ct);
        var cidr = node.Spec?.PodCIDR ?? node.Spec?.PodCIDRs?.FirstOrDefault();
        // No subnet yet (node IPAM hasn't run): the resync loop tries again.
        if (string.IsNullOrEmpty(cidr) || !IPNetwork.TryParse(cidr, out var net)) return null;
        var host = _nextHost.AddOrUpdate(nodeName, 2, (_, n) => n + 1);
        var b = net.BaseAddress.GetAddressBytes();
        var value = ((uint)b[0] << 24 | (uint)b[1] << 16 | (uint)b[2] << 8 | b[3]) + (uint)host;
        var ip = new IPAddress([(byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value]).ToString();
        return _podIps.GetOrAdd(pod.Metadata.Uid, ip);
    }

    private async Task WriteRunningAsync(V1Pod pod, string node, string ip, CancellationToken ct)
    {
        var now = DateTime.UtcNow;
        var outcome = _options.PodOutcome(pod);
        var ready = outcome == FakePodOutcome.Ready;
        var finished = outcome is FakePodOutcome.Succeeded or FakePodOutcome.Failed;
        V1PodCondition C(string type, bool holds = true) => new() { Type = type, Status = holds ? "True" : "False", LastTransitionTime = now };
        var status = new V1PodStatus
        {
            Phase = outcome switch { FakePodOutcome.Succeeded => "Succeeded", FakePodOutcome.Failed => "Failed", _ => "Running" },
            PodIP = ip,
            PodIPs = [new V1PodIP { Ip = ip }],
            HostIP = AddressOf(node),
            HostIPs = [new V1HostIP { Ip = AddressOf(node) }],
            StartTime = now,
            QosClass = pod.Status?.QosClass,
            Conditions = [C("PodReadyToStartContainers"), C("Initialized"), C("Ready", ready), C("ContainersReady", ready), C("PodScheduled")],
            ContainerStatuses = (pod.Spec?.Containers ?? []).Select(c => new V1ContainerStatus
            {
                Name = c.Name,
                Image = c.Image,
                ImageID = $"fake://{c.Image}",
                ContainerID = $"fake://{pod.Metadata.Uid}/{c.Name}",
                Ready = ready,
                Started = !finished,
                RestartCount = 0,
                State = finished
                    ? new V1ContainerState { Terminated = new V1ContainerStateTerminated { ExitCode = outcome == FakePodOutcome.Succeeded ? 0 : 1, StartedAt = now, FinishedAt = now,
                        Reason = outcome == FakePodOutcome.Succeeded ? "Completed" : "Error" } }
                    : new V1ContainerState { Running = new V1ContainerStateRunning { StartedAt = now } },
            }).ToList(),
        };
        var body = KubernetesJson.Serialize(new { metadata = new { uid = pod.Metadata.Uid }, status });
        await _client.CoreV1.PatchNamespacedPodStatusAsync(new V1Patch(body, V1Patch.PatchType.MergePatch), pod.Metadata.Name, pod.Metadata.NamespaceProperty, cancellationToken: ct);
        Interlocked.Increment(ref _podStatusWrites);
    }
}
