using k8s.Models;

namespace Navarch.Api.Tests.Validation;

/// <summary>Small valid objects (already defaulted) for validation tests to break one field at a time.</summary>
internal static class Objects
{
    public static V1Pod Pod() => new()
    {
        ApiVersion = "v1",
        Kind = "Pod",
        Metadata = new V1ObjectMeta { Name = "web", NamespaceProperty = "default", Labels = new Dictionary<string, string> { ["app"] = "web" } },
        Spec = PodSpec(),
    };

    public static V1PodSpec PodSpec() => new()
    {
        Containers =
        [
            new V1Container
            {
                Name = "nginx",
                Image = "nginx:1.25",
                ImagePullPolicy = "IfNotPresent",
                TerminationMessagePolicy = "File",
                Ports = [new V1ContainerPort { ContainerPort = 80, Protocol = "TCP" }],
            },
        ],
        RestartPolicy = "Always",
        DnsPolicy = "ClusterFirst",
    };

    public static V1ReplicationController Rc() => new()
    {
        Metadata = new V1ObjectMeta { Name = "web", NamespaceProperty = "default" },
        Spec = new V1ReplicationControllerSpec
        {
            Replicas = 2,
            Selector = new Dictionary<string, string> { ["app"] = "web" },
            Template = new V1PodTemplateSpec
            {
                Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = "web" } },
                Spec = PodSpec(),
            },
        },
    };

    public static V1Service Service() => new()
    {
        Metadata = new V1ObjectMeta { Name = "web", NamespaceProperty = "default" },
        Spec = new V1ServiceSpec
        {
            Type = "ClusterIP",
            SessionAffinity = "None",
            Selector = new Dictionary<string, string> { ["app"] = "web" },
            Ports = [new V1ServicePort { Port = 80, Protocol = "TCP", TargetPort = 8080 }],
        },
    };
}
