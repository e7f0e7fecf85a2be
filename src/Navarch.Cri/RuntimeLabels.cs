namespace Navarch.Cri;

/// <summary>
/// Label and annotation keys that tie runtime objects to Kubernetes pods and containers. The values are
/// upstream kubelet's, so sandboxes made by one stay recognisable (crictl, adoption after a restart).
/// </summary>
public static class RuntimeLabels
{
    /// <summary>Label: the pod's UID; the agent lists sandboxes and containers by it.</summary>
    public const string PodUid = "io.kubernetes.pod.uid";

    /// <summary>Label: the pod's name.</summary>
    public const string PodName = "io.kubernetes.pod.name";

    /// <summary>Label: the pod's namespace.</summary>
    public const string PodNamespace = "io.kubernetes.pod.namespace";

    /// <summary>Label: the container's name within its pod.</summary>
    public const string ContainerName = "io.kubernetes.container.name";

    /// <summary>Annotation: how many times the agent restarted this container (upstream keeps it as an annotation).</summary>
    public const string ContainerRestartCount = "io.kubernetes.container.restartCount";

    /// <summary>Annotation: the pod's termination grace period in seconds, for a stop after an agent restart.</summary>
    public const string PodTerminationGracePeriod = "io.kubernetes.pod.terminationGracePeriod";

    /// <summary>Label every object the Navarch agent creates carries, so adoption never touches foreign objects.</summary>
    public const string ManagedBy = "io.navarch.managed-by";

    /// <summary>The value of <see cref="ManagedBy"/>.</summary>
    public const string ManagedByAgent = "navarch-agent";
}
