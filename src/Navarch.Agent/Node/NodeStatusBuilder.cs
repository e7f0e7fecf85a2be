using System.Globalization;
using System.Runtime.InteropServices;
using k8s;
using k8s.Models;
using Navarch.Cri;

namespace Navarch.Agent.Node;

/// <summary>Everything a node's status is computed from.</summary>
public sealed record NodeStatusInput
{
    /// <summary>The node's name (its Hostname address).</summary>
    public required string NodeName { get; init; }

    /// <summary>The node's InternalIP.</summary>
    public required string NodeIp { get; init; }

    /// <summary>The machine's facts.</summary>
    public required MachineInfo Machine { get; init; }

    /// <summary>The pods capacity.</summary>
    public int MaxPods { get; init; } = 110;

    /// <summary>The agent server's port.</summary>
    public int Port { get; init; } = 10250;

    /// <summary>kubeletVersion and kubeProxyVersion.</summary>
    public string KubeletVersion { get; init; } = "v1.32.0";

    /// <summary>The runtime's version, or null if it has not answered yet.</summary>
    public RuntimeVersion? Runtime { get; init; }

    /// <summary>The runtime's last health report, or null if none yet.</summary>
    public RuntimeHealth? Health { get; init; }

    /// <summary>Why the runtime's health could not be read (it is then not ready), or null.</summary>
    public string? HealthError { get; init; }

    /// <summary>The status the API holds now (for condition transition times), or null.</summary>
    public V1NodeStatus? Previous { get; init; }

    /// <summary>Now: the heartbeat time.</summary>
    public required DateTime Now { get; init; }
}

/// <summary>
/// Builds a node's registration and its status as upstream's kubelet does (setters in
/// <c>pkg/kubelet/nodestatus</c>): addresses, capacity = allocatable, nodeInfo, daemon endpoint, and the
/// conditions MemoryPressure/DiskPressure/PIDPressure (False) and Ready. Pure.
/// </summary>
public static class NodeStatusBuilder
{
    /// <summary>The node's architecture in Go's spelling (<c>amd64</c>, <c>arm64</c>).</summary>
    public static string Architecture => RuntimeInformation.OSArchitecture switch
    {
        System.Runtime.InteropServices.Architecture.Arm64 => "arm64",
        System.Runtime.InteropServices.Architecture.Arm => "arm",
        System.Runtime.InteropServices.Architecture.X86 => "386",
        _ => "amd64",
    };

    /// <summary>The Node to register: name, the well-known labels and, if given, a pod CIDR.</summary>
    public static V1Node NewNode(string nodeName, string? podCidr) => new()
    {
        ApiVersion = "v1",
        Kind = "Node",
        Metadata = new V1ObjectMeta
        {
            Name = nodeName,
            Labels = new Dictionary<string, string>
            {
                ["kubernetes.io/hostname"] = nodeName,
                ["kubernetes.io/os"] = "linux",
                ["kubernetes.io/arch"] = Architecture,
                ["beta.kubernetes.io/os"] = "linux",
                ["beta.kubernetes.io/arch"] = Architecture,
            },
        },
        Spec = podCidr is null ? new V1NodeSpec() : new V1NodeSpec { PodCIDR = podCidr, PodCIDRs = [podCidr] },
    };

    /// <summary>The node's status now.</summary>
    public static V1NodeStatus Build(NodeStatusInput input)
    {
        var m = input.Machine;
        var now = new DateTime(input.Now.Ticks - input.Now.Ticks % TimeSpan.TicksPerSecond, DateTimeKind.Utc);
        var resources = new Dictionary<string, ResourceQuantity>
        {
            ["cpu"] = new(m.Cpus.ToString(CultureInfo.InvariantCulture)),
            ["memory"] = new($"{m.MemoryKi.ToString(CultureInfo.InvariantCulture)}Ki"),
            ["pods"] = new(input.MaxPods.ToString(CultureInfo.InvariantCulture)),
            ["ephemeral-storage"] = new($"{m.EphemeralStorageKi.ToString(CultureInfo.InvariantCulture)}Ki"),
        };
        var old = input.Previous?.Conditions ?? [];
        V1NodeCondition Make(string type, bool status, string reason, string message)
        {
            var value = status ? "True" : "False";
            var prior = old.FirstOrDefault(c => c.Type == type);
            return new V1NodeCondition
            {
                Type = type,
                Status = value,
                Reason = reason,
                Message = message,
                LastHeartbeatTime = now,
                LastTransitionTime = prior is not null && prior.Status == value && prior.LastTransitionTime is not null ? prior.LastTransitionTime : now,
            };
        }
        var (ready, why) = Readiness(input);
        return new V1NodeStatus
        {
            Capacity = resources,
            Allocatable = new Dictionary<string, ResourceQuantity>(resources),
            Addresses = [new V1NodeAddress { Type = "InternalIP", Address = input.NodeIp }, new V1NodeAddress { Type = "Hostname", Address = input.NodeName }],
            DaemonEndpoints = new V1NodeDaemonEndpoints { KubeletEndpoint = new V1DaemonEndpoint { Port = input.Port } },
            NodeInfo = new V1NodeSystemInfo
            {
                MachineID = m.MachineId,
                SystemUUID = m.MachineId,
                BootID = m.BootId,
                KernelVersion = m.KernelVersion,
                OsImage = m.OsImage,
                ContainerRuntimeVersion = input.Runtime is { } r ? $"{r.Name}://{r.Version}" : "",
                KubeletVersion = input.KubeletVersion,
                KubeProxyVersion = input.KubeletVersion,
                OperatingSystem = "linux",
                Architecture = Architecture,
            },
            Conditions =
            [
                Make("MemoryPressure", false, "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
                Make("DiskPressure", false, "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
                Make("PIDPressure", false, "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
                ready ? Make("Ready", true, "KubeletReady", "kubelet is posting ready status") : Make("Ready", false, "KubeletNotReady", why),
            ],
            Images = input.Previous?.Images,
        };
    }

    /// <summary>Whether the node is ready, and upstream's message when it is not.</summary>
    public static (bool Ready, string Message) Readiness(NodeStatusInput input)
    {
        if (input.HealthError is { } error) return (false, $"container runtime is down: {error}");
        if (input.Health is not { } health || input.Runtime is null) return (false, "container runtime status check may not have completed yet");
        if (!health.RuntimeReady) return (false, $"container runtime not ready: {Describe(health, RuntimeHealth.RuntimeReadyCondition)}");
        if (!health.NetworkReady) return (false, $"container runtime network not ready: {Describe(health, RuntimeHealth.NetworkReadyCondition)}");
        return (true, "");
    }

    /// <summary>Whether two statuses differ in more than their heartbeat times (a change is written at once).</summary>
    public static bool SameIgnoringHeartbeats(V1NodeStatus? a, V1NodeStatus? b) => Canonical(a) == Canonical(b);

    private static string Canonical(V1NodeStatus? s)
    {
        if (s is null) return "";
        var copy = KubernetesJson.Deserialize<V1NodeStatus>(KubernetesJson.Serialize(s));
        foreach (var c in copy.Conditions ?? []) c.LastHeartbeatTime = null;
        return KubernetesJson.Serialize(copy);
    }

    private static string Describe(RuntimeHealth health, string type) =>
        health.Conditions.FirstOrDefault(c => c.Type == type) is { } c
            ? $"{type}=false reason:{c.Reason} message:{c.Message}"
            : $"{type}=false reason: message:condition missing";
}
