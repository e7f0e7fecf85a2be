using k8s.Models;
using Navarch.Cri;
using Navarch.Client.Events;

namespace Navarch.Agent.Pods;

/// <summary>
/// Starts one container of a pod: makes its image present, builds its environment (with the service
/// variables), volume mounts and spec, creates and starts it, and records Created/Started (or Failed, FailedMount)
/// events. Failures become a waiting reason (<c>ContainerCreating</c> for volumes, <c>CreateContainerConfigError</c>,
/// <c>CreateContainerError</c>, <c>RunContainerError</c>, pull errors) rather than exceptions, except when the
/// runtime is unreachable.
/// </summary>
public sealed class ContainerStarter(
    ICriRuntime runtime, ImagePuller images, PodVolumes volumes, EventRecorder events, Func<IEnumerable<V1Service>> services, PodSyncSettings settings,
    Func<V1Pod, V1Container, CancellationToken, Task<EnvSources>>? envSources = null, PodHostsFile? hosts = null)
{
    /// <summary>Starts <paramref name="container"/> as its <paramref name="restartCount"/>-th start in the sandbox; returns null on success or why it waits (and when to retry).</summary>
    public async Task<(WaitingReason Reason, TimeSpan Retry)?> StartAsync(V1Pod pod, V1Container container, int restartCount, string sandboxId, SandboxSpec sandbox, string podIp, CancellationToken ct)
    {
        var image = await images.EnsureAsync(pod, container, ct);
        if (!image.Ready) return (image.Waiting!, image.Retry);

        IReadOnlyList<MountSpec> mounts;
        try
        {
            mounts = volumes.MountsFor(pod, container);
            if (hosts is not null) mounts = [.. mounts, .. hosts.MountFor(pod, container, podIp, sandbox.Hostname)];
        }
        catch (Exception e) when (e is VolumeException or IOException or UnauthorizedAccessException)
        {
            var volume = e is VolumeException { Volume.Length: > 0 } v ? $" for volume \"{v.Volume}\" :" : ":";
            await events.WarningAsync(pod, "FailedMount", $"MountVolume.SetUp failed{volume} {e.Message}", ct);
            return (new WaitingReason("ContainerCreating", e.Message), TimeSpan.FromSeconds(10));
        }

        ContainerSpec spec;
        try
        {
            var serviceEnv = ServiceEnvironment.For(pod.Metadata.NamespaceProperty ?? "default", pod.Spec.EnableServiceLinks ?? true, services());
            var sources = envSources is null ? EnvSources.None : await envSources(pod, container, ct);
            var env = ContainerEnvironment.Build(pod, container, serviceEnv, podIp, settings.NodeIp, sources);
            spec = RuntimeSpecs.Container(pod, container, restartCount, env) with { Mounts = mounts };
        }
        catch (ContainerConfigException e)
        {
            await events.WarningAsync(pod, "Failed", $"Error: {e.Message}", ct);
            return (new WaitingReason("CreateContainerConfigError", e.Message), TimeSpan.FromSeconds(10));
        }

        string id;
        try
        {
            id = await runtime.CreateContainerAsync(sandboxId, spec, sandbox, ct);
        }
        catch (RuntimeException e) when (e.Code != RuntimeErrorCode.Unavailable)
        {
            await events.WarningAsync(pod, "Failed", $"Error: {e.Message}", ct);
            return (new WaitingReason("CreateContainerError", e.Message), TimeSpan.FromSeconds(1));
        }
        await events.NormalAsync(pod, "Created", $"Created container {container.Name}", ct);
        try
        {
            await runtime.StartContainerAsync(id, ct);
        }
        catch (RuntimeException e) when (e.Code != RuntimeErrorCode.Unavailable)
        {
            await events.WarningAsync(pod, "Failed", $"Error: failed to start container \"{container.Name}\": {e.Message}", ct);
            return (new WaitingReason("RunContainerError", e.Message), TimeSpan.FromSeconds(1));
        }
        await events.NormalAsync(pod, "Started", $"Started container {container.Name}", ct);
        return null;
    }
}
