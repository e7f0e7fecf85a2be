using k8s.Models;

namespace Navarch.Controllers.Tests.Endpoints;

/// <summary>Small object builders for the endpoint and node tests.</summary>
internal static class Build
{
    public static V1Service Service(string name = "web", string? clusterIp = "10.96.0.10", bool publishNotReady = false, params V1ServicePort[] ports) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "default", Uid = $"svc-{name}", Labels = new Dictionary<string, string> { ["app"] = name }, CreationTimestamp = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc) },
        Spec = new V1ServiceSpec
        {
            Selector = new Dictionary<string, string> { ["app"] = name },
            ClusterIP = clusterIp,
            PublishNotReadyAddresses = publishNotReady,
            Ports = ports.Length == 0 ? [Port(null, 80, "80")] : ports,
        },
    };

    public static V1ServicePort Port(string? name, int port, string target, string protocol = "TCP") =>
        new() { Name = name, Port = port, TargetPort = target, Protocol = protocol };

    public static V1Pod Pod(string name, string? ip, bool ready = true, string node = "node-1", bool deleting = false, string phase = "Running",
        params V1ContainerPort[] ports) => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = name,
            NamespaceProperty = "default",
            Uid = $"uid-{name}",
            Labels = new Dictionary<string, string> { ["app"] = "web" },
            DeletionTimestamp = deleting ? new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc) : null,
        },
        Spec = new V1PodSpec { NodeName = node, Containers = [new V1Container { Name = "c", Image = "nginx", Ports = ports }] },
        Status = new V1PodStatus
        {
            Phase = phase,
            PodIP = ip,
            PodIPs = ip is null ? null : [new V1PodIP { Ip = ip }],
            Conditions = [new V1PodCondition { Type = "Ready", Status = ready ? "True" : "False" }],
        },
    };

    public static V1ContainerPort ContainerPort(string name, int port, string protocol = "TCP") =>
        new() { Name = name, ContainerPort = port, Protocol = protocol };
}
