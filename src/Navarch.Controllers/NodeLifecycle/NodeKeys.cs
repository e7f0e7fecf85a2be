namespace Navarch.Controllers.NodeLifecycle;

/// <summary>Taint keys, condition reasons and thresholds of node lifecycle (upstream's values).</summary>
public static class NodeKeys
{
    public const string UnreachableTaint = "node.kubernetes.io/unreachable";
    public const string NotReadyTaint = "node.kubernetes.io/not-ready";
    public const string MemoryPressureTaint = "node.kubernetes.io/memory-pressure";
    public const string DiskPressureTaint = "node.kubernetes.io/disk-pressure";
    public const string PidPressureTaint = "node.kubernetes.io/pid-pressure";
    public const string NetworkUnavailableTaint = "node.kubernetes.io/network-unavailable";
    public const string UnschedulableTaint = "node.kubernetes.io/unschedulable";

    public const string NoExecute = "NoExecute";
    public const string NoSchedule = "NoSchedule";

    /// <summary>Where kubelets renew their Leases.</summary>
    public const string LeaseNamespace = "kube-node-lease";

    public const string StatusUnknownReason = "NodeStatusUnknown";
    public const string StatusUnknownMessage = "Kubelet stopped posting node status.";
    public const string NeverUpdatedReason = "NodeStatusNeverUpdated";
    public const string NeverUpdatedMessage = "Kubelet never posted node status.";

    /// <summary>The conditions the controller turns Unknown when a node goes silent: Ready first.</summary>
    public static readonly string[] MonitoredConditions = ["Ready", "MemoryPressure", "DiskPressure", "PIDPressure"];

    /// <summary>Share of not-ready nodes (with more than two of them) that makes a zone partially disrupted.</summary>
    public const double UnhealthyZoneThreshold = 0.55;
}
