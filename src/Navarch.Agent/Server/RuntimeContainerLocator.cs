using k8s.Models;
using Navarch.Cri;

namespace Navarch.Agent.Server;

/// <summary>
/// An <see cref="IContainerLocator"/> that asks the runtime: the pod's sandboxes by their namespace and name labels,
/// then the container's instances by name label; the newest instance is the current one, the one before it the
/// previous (<c>lastState</c>). Knows nothing of the pod spec, so a container counts as declared once it has run.
/// </summary>
public sealed class RuntimeContainerLocator(ICriRuntime runtime) : IContainerLocator
{
    /// <summary>The prefix of <c>containerID</c> in pod status.</summary>
    public const string IdScheme = "containerd://";

    /// <inheritdoc />
    public async ValueTask<LocatedContainer?> FindAsync(string @namespace, string pod, string container, CancellationToken cancellationToken)
    {
        var sandboxes = await runtime.ListSandboxesAsync(
            new Dictionary<string, string> { [RuntimeLabels.PodNamespace] = @namespace, [RuntimeLabels.PodName] = pod }, cancellationToken);
        if (sandboxes.Count == 0) return null;
        var uid = sandboxes.MaxBy(s => s.CreatedAt)!.Uid;
        var instances = new List<ContainerInfo>();
        foreach (var sandbox in sandboxes.Where(s => s.Uid == uid))
            instances.AddRange(await runtime.ListContainersAsync(new ContainerFilter
            {
                SandboxId = sandbox.Id,
                Labels = new Dictionary<string, string> { [RuntimeLabels.ContainerName] = container },
            }, cancellationToken));
        if (instances.Count == 0) return new LocatedContainer(uid, false, null);
        var ordered = instances.OrderByDescending(c => c.Attempt).ThenByDescending(c => c.CreatedAt).ToList();
        var status = new V1ContainerStatus
        {
            Name = container,
            Image = ordered[0].Image,
            ImageID = ordered[0].ImageRef,
            ContainerID = IdScheme + ordered[0].Id,
            RestartCount = ordered[0].Attempt,
            State = StateOf(ordered[0]),
            LastState = ordered.Count > 1 ? new V1ContainerState { Terminated = new V1ContainerStateTerminated { ContainerID = IdScheme + ordered[1].Id } } : new V1ContainerState(),
        };
        return new LocatedContainer(uid, true, status);
    }

    private static V1ContainerState StateOf(ContainerInfo c) => c.State switch
    {
        ContainerState.Running => new V1ContainerState { Running = new V1ContainerStateRunning() },
        ContainerState.Exited => new V1ContainerState { Terminated = new V1ContainerStateTerminated { ContainerID = IdScheme + c.Id } },
        _ => new V1ContainerState { Waiting = new V1ContainerStateWaiting { Reason = "ContainerCreating" } },
    };
}
