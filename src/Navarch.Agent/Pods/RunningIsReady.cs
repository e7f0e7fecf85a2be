using k8s.Models;
using Navarch.Agent.Probes;

namespace Navarch.Agent.Pods;

/// <summary>
/// An <see cref="IProbeManager"/> that runs no probes: every running container counts as started and ready
/// and none ever fails. For runtimes that run nothing (hollow nodes), and until a real probe manager is wired.
/// </summary>
public sealed class RunningIsReady : IProbeManager
{
    /// <inheritdoc />
    public void Update(V1Pod pod, string? podIp, IReadOnlyDictionary<string, RunningContainer> running) { }

    /// <inheritdoc />
    public void Remove(string podUid) { }

    /// <inheritdoc />
    public bool IsReady(string podUid, string container) => true;

    /// <inheritdoc />
    public bool IsStarted(string podUid, string container) => true;

    /// <inheritdoc />
    public event Action<string>? Changed { add { } remove { } }

    /// <inheritdoc />
    public event Action<string, string, string>? Failed { add { } remove { } }
}
