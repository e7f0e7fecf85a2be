using k8s.Models;

namespace Navarch.Agent.Server;

/// <summary>
/// What the agent knows of one container of a pod on this node: whether the pod declares it, and the status the
/// agent last computed for it (upstream's <c>V1ContainerStatus</c>: <c>containerID</c> as <c>containerd://ID</c>,
/// <c>state</c> and <c>lastState</c>, from which the server picks the instance whose logs or exec a client wants).
/// </summary>
/// <param name="PodUid">The pod's UID.</param>
/// <param name="Declared">Whether the pod's spec has a container (or init container) of that name.</param>
/// <param name="Status">The container's latest status, or null if the agent has none yet.</param>
public sealed record LocatedContainer(string PodUid, bool Declared, V1ContainerStatus? Status);

/// <summary>
/// Maps (namespace, pod, container) to what runs on this node, for the agent's server (logs, exec). The agent core
/// implements it from its pod state; <see cref="RuntimeContainerLocator"/> derives it from the runtime's listings.
/// </summary>
public interface IContainerLocator
{
    /// <summary>
    /// The container <paramref name="container"/> of pod <paramref name="namespace"/>/<paramref name="pod"/>, or null if
    /// this node runs no such pod. Must be cheap and must not throw for unknown names.
    /// </summary>
    ValueTask<LocatedContainer?> FindAsync(string @namespace, string pod, string container, CancellationToken cancellationToken);
}
