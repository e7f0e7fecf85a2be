using Navarch.Cri;

namespace Navarch.Agent.Pods;

/// <summary>One container name's run history in the pod's current sandbox: the newest instance and the one before it.</summary>
/// <param name="Latest">The newest instance (highest attempt).</param>
/// <param name="Previous">The instance before it, if the runtime still has it (its exit is the status's <c>lastState</c>).</param>
public sealed record ContainerHistory(ContainerStatus Latest, ContainerStatus? Previous);

/// <summary>Why a container is not running although the agent wants it to (upstream's waiting reasons).</summary>
/// <param name="Reason">e.g. <c>CrashLoopBackOff</c>, <c>ErrImagePull</c>, <c>ImagePullBackOff</c>, <c>CreateContainerConfigError</c>.</param>
/// <param name="Message">The human-readable detail.</param>
public sealed record WaitingReason(string Reason, string Message);

/// <summary>What the runtime holds for one pod, as the status computation reads it.</summary>
/// <param name="Sandbox">The pod's newest sandbox with its IP, or null if it has none.</param>
/// <param name="Containers">Container histories by container name (init and app containers).</param>
public sealed record PodRuntimeView(SandboxStatus? Sandbox, IReadOnlyDictionary<string, ContainerHistory> Containers)
{
    /// <summary>A pod the runtime knows nothing of.</summary>
    public static PodRuntimeView Empty { get; } = new(null, new Dictionary<string, ContainerHistory>());

    /// <summary>Whether the sandbox exists and is ready.</summary>
    public bool SandboxReady => Sandbox?.State == SandboxState.Ready;
}
