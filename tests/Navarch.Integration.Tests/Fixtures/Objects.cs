using k8s.Models;

namespace Navarch.Integration.Tests.Fixtures;

/// <summary>Small valid objects for client tests; callers change the one thing a test is about.</summary>
public static class Objects
{
    public static V1Pod Pod(string name, IDictionary<string, string>? labels = null, string? nodeName = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, Labels = labels },
        Spec = new V1PodSpec
        {
            NodeName = nodeName,
            Containers = [new V1Container { Name = "app", Image = "nginx", Ports = [new V1ContainerPort { ContainerPort = 80 }] }],
        },
    };

    public static V1Service Service(string name, string type = "ClusterIP", string? clusterIp = null, int? nodePort = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        Spec = new V1ServiceSpec
        {
            Type = type,
            ClusterIP = clusterIp,
            Selector = new Dictionary<string, string> { ["app"] = name },
            Ports = [new V1ServicePort { Port = 80, TargetPort = 8080, NodePort = nodePort }],
        },
    };

    public static V1ReplicationController Rc(string name, IDictionary<string, string> selector, IDictionary<string, string> templateLabels) => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        Spec = new V1ReplicationControllerSpec
        {
            Replicas = 1,
            Selector = selector,
            Template = new V1PodTemplateSpec
            {
                Metadata = new V1ObjectMeta { Labels = templateLabels },
                Spec = new V1PodSpec { Containers = [new V1Container { Name = "app", Image = "nginx" }] },
            },
        },
    };

    public static Dictionary<string, string> Labels(params string[] pairs) =>
        pairs.Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
}
