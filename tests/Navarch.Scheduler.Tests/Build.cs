using k8s.Models;
using Navarch.Scheduler.Framework;

namespace Navarch.Scheduler.Tests;

/// <summary>Terse builders of the nodes and pods the tests place.</summary>
internal static class Build
{
    public static V1Node Node(string name, string cpu = "4", string memory = "16Gi", string pods = "110", bool ready = true,
        IDictionary<string, string>? labels = null, IList<V1Taint>? taints = null, bool unschedulable = false) => new()
    {
        ApiVersion = "v1",
        Kind = "Node",
        Metadata = new V1ObjectMeta { Name = name, Labels = labels ?? new Dictionary<string, string> { ["kubernetes.io/hostname"] = name } },
        Spec = new V1NodeSpec { Taints = taints, Unschedulable = unschedulable },
        Status = new V1NodeStatus
        {
            Allocatable = new Dictionary<string, ResourceQuantity> { ["cpu"] = new(cpu), ["memory"] = new(memory), ["pods"] = new(pods) },
            Conditions = [new V1NodeCondition { Type = "Ready", Status = ready ? "True" : "Unknown" }],
        },
    };

    public static V1Pod Pod(string name, string? cpu = null, string? memory = null, IDictionary<string, string>? labels = null,
        string ns = "default", string? nodeName = null) => new()
    {
        ApiVersion = "v1",
        Kind = "Pod",
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns, Uid = Guid.NewGuid().ToString(), Labels = labels },
        Spec = new V1PodSpec
        {
            NodeName = nodeName,
            SchedulerName = "default-scheduler",
            Containers = [new V1Container { Name = "c", Image = "nginx", Resources = Requests(cpu, memory) }],
        },
    };

    public static V1ResourceRequirements? Requests(string? cpu, string? memory)
    {
        if (cpu is null && memory is null) return null;
        var requests = new Dictionary<string, ResourceQuantity>();
        if (cpu is not null) requests["cpu"] = new ResourceQuantity(cpu);
        if (memory is not null) requests["memory"] = new ResourceQuantity(memory);
        return new V1ResourceRequirements { Requests = requests };
    }

    public static V1Taint Taint(string key, string value, string effect) => new() { Key = key, Value = value, Effect = effect };

    /// <summary>A node's info with these pods on it.</summary>
    public static NodeInfo Info(V1Node node, params V1Pod[] pods)
    {
        var info = new NodeInfo(node);
        foreach (var p in pods) info.AddPod(new PodInfo(p));
        return info;
    }

    /// <summary>The state a filter sees for this pod over these nodes.</summary>
    public static CycleState State(V1Pod pod, params NodeInfo[] nodes) => new(new PodInfo(pod), new StaticSnapshot(nodes));
}
