using k8s;
using k8s.Models;
using Navarch.Api.Defaulting;
using Navarch.Api.Resources;

namespace Navarch.Api.Tests.Defaulting;

[Trait("Category", "Unit")]
public class ObjectDefaulterTests
{
    private static V1Pod BarePod(string image = "nginx") => new()
    {
        Metadata = new V1ObjectMeta { Name = "p", NamespaceProperty = "default" },
        Spec = new V1PodSpec { Containers = [new V1Container { Name = "c", Image = image, Ports = [new V1ContainerPort { ContainerPort = 80 }] }] },
    };

    [Fact]
    public void Pod_gets_upstream_defaults()
    {
        var pod = BarePod();
        ObjectDefaulter.Apply(ResourceCatalog.Pods, pod);
        var spec = pod.Spec;
        Assert.Equal("Always", spec.RestartPolicy);
        Assert.Equal(30, spec.TerminationGracePeriodSeconds);
        Assert.Equal("ClusterFirst", spec.DnsPolicy);
        Assert.Equal("default-scheduler", spec.SchedulerName);
        Assert.NotNull(spec.SecurityContext);
        Assert.True(spec.EnableServiceLinks);
        Assert.Equal(0, spec.Priority);
        Assert.Equal("PreemptLowerPriority", spec.PreemptionPolicy);
        var container = spec.Containers[0];
        Assert.Equal("Always", container.ImagePullPolicy);
        Assert.Equal("/dev/termination-log", container.TerminationMessagePath);
        Assert.Equal("File", container.TerminationMessagePolicy);
        Assert.Equal("TCP", container.Ports[0].Protocol);
        Assert.Equal("Pending", pod.Status.Phase);
        Assert.Equal("BestEffort", pod.Status.QosClass);
        Assert.Collection(spec.Tolerations,
            t => Assert.Equal(("node.kubernetes.io/not-ready", "Exists", "NoExecute", 300L), (t.Key, t.OperatorProperty, t.Effect, t.TolerationSeconds!.Value)),
            t => Assert.Equal(("node.kubernetes.io/unreachable", "Exists", "NoExecute", 300L), (t.Key, t.OperatorProperty, t.Effect, t.TolerationSeconds!.Value)));
    }

    [Theory]
    [InlineData("nginx", "Always")]
    [InlineData("nginx:latest", "Always")]
    [InlineData("nginx:1.25", "IfNotPresent")]
    [InlineData("registry.local:5000/team/app", "Always")]
    [InlineData("registry.local:5000/team/app:v2", "IfNotPresent")]
    [InlineData("nginx@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "IfNotPresent")]
    [InlineData("Nginx", "IfNotPresent")]
    public void Image_pull_policy_follows_the_tag(string image, string policy)
    {
        var pod = BarePod(image);
        ObjectDefaulter.Apply(ResourceCatalog.Pods, pod);
        Assert.Equal(policy, pod.Spec.Containers[0].ImagePullPolicy);
    }

    [Fact]
    public void Existing_wildcard_toleration_suppresses_the_defaults()
    {
        var pod = BarePod();
        pod.Spec.Tolerations = [new V1Toleration { OperatorProperty = "Exists" }];
        ObjectDefaulter.Apply(ResourceCatalog.Pods, pod);
        Assert.Single(pod.Spec.Tolerations);
    }

    [Theory]
    [InlineData(null, null, null, null, "BestEffort")]
    [InlineData("100m", null, null, null, "Burstable")]
    [InlineData(null, null, "100m", "64Mi", "Guaranteed")]
    [InlineData("50m", "64Mi", "100m", "64Mi", "Burstable")]
    public void Qos_class_is_computed(string? cpuReq, string? memReq, string? cpuLim, string? memLim, string expected)
    {
        var pod = BarePod();
        pod.Spec.Containers[0].Resources = new V1ResourceRequirements
        {
            Requests = Quantities(cpuReq, memReq),
            Limits = Quantities(cpuLim, memLim),
        };
        ObjectDefaulter.Apply(ResourceCatalog.Pods, pod);
        Assert.Equal(expected, pod.Status.QosClass);
    }

    [Fact]
    public void Rc_copies_template_labels_and_defaults_replicas()
    {
        var rc = new V1ReplicationController
        {
            Metadata = new V1ObjectMeta { Name = "web" },
            Spec = new V1ReplicationControllerSpec
            {
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = "web" } },
                    Spec = new V1PodSpec { Containers = [new V1Container { Name = "c", Image = "nginx:1" }] },
                },
            },
        };
        ObjectDefaulter.Apply(ResourceCatalog.ReplicationControllers, rc);
        Assert.Equal(1, rc.Spec.Replicas);
        Assert.Equal("web", rc.Spec.Selector["app"]);
        Assert.Equal("web", rc.Metadata.Labels["app"]);
        Assert.Equal("Always", rc.Spec.Template.Spec.RestartPolicy);
        Assert.Equal("IfNotPresent", rc.Spec.Template.Spec.Containers[0].ImagePullPolicy);
        Assert.Null(rc.Spec.Template.Spec.EnableServiceLinks);
    }

    [Theory]
    [InlineData(null, "ClusterIP", null)]
    [InlineData("NodePort", "NodePort", "Cluster")]
    [InlineData("LoadBalancer", "LoadBalancer", "Cluster")]
    public void Service_defaults(string? type, string expectedType, string? externalPolicy)
    {
        var svc = new V1Service { Spec = new V1ServiceSpec { Type = type, Ports = [new V1ServicePort { Port = 8000 }] } };
        ObjectDefaulter.Apply(ResourceCatalog.Services, svc);
        Assert.Equal(expectedType, svc.Spec.Type);
        Assert.Equal("None", svc.Spec.SessionAffinity);
        Assert.Equal("TCP", svc.Spec.Ports[0].Protocol);
        Assert.Equal("8000", svc.Spec.Ports[0].TargetPort.Value);
        Assert.Equal("Cluster", svc.Spec.InternalTrafficPolicy);
        Assert.Equal(externalPolicy, svc.Spec.ExternalTrafficPolicy);
    }

    [Fact]
    public void Namespace_defaults()
    {
        var ns = new V1Namespace { Metadata = new V1ObjectMeta { Name = "team" } };
        ObjectDefaulter.Apply(ResourceCatalog.Namespaces, ns);
        Assert.Equal(["kubernetes"], ns.Spec.Finalizers);
        Assert.Equal("Active", ns.Status.Phase);
        Assert.Equal("team", ns.Metadata.Labels["kubernetes.io/metadata.name"]);
    }

    [Fact]
    public void Endpoint_ports_default_to_tcp()
    {
        var ep = new V1Endpoints { Subsets = [new V1EndpointSubset { Ports = [new Corev1EndpointPort { Port = 80 }] }] };
        ObjectDefaulter.Apply(ResourceCatalog.Endpoints, ep);
        Assert.Equal("TCP", ep.Subsets[0].Ports[0].Protocol);
        var slice = new V1EndpointSlice { AddressType = "IPv4", Ports = [new Discoveryv1EndpointPort { Port = 80 }] };
        ObjectDefaulter.Apply(ResourceCatalog.EndpointSlices, slice);
        Assert.Equal(("TCP", ""), (slice.Ports[0].Protocol, slice.Ports[0].Name));
    }

    public static TheoryData<string, Func<IKubernetesObject<V1ObjectMeta>>> Idempotence => new()
    {
        { "pods", () => BarePod() },
        { "services", () => new V1Service { Spec = new V1ServiceSpec { Type = "NodePort", Ports = [new V1ServicePort { Port = 80 }] } } },
        { "namespaces", () => new V1Namespace { Metadata = new V1ObjectMeta { Name = "x" } } },
        { "replicationcontrollers", () => new V1ReplicationController { Spec = new V1ReplicationControllerSpec { Template = new V1PodTemplateSpec { Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["a"] = "b" } }, Spec = new V1PodSpec { Containers = [new V1Container { Name = "c", Image = "i" }] } } } } },
        { "endpointslices", () => new V1EndpointSlice { Ports = [new Discoveryv1EndpointPort()] } },
    };

    [Theory]
    [MemberData(nameof(Idempotence))]
    public void Applying_twice_equals_applying_once(string plural, Func<IKubernetesObject<V1ObjectMeta>> make)
    {
        var rt = ResourceCatalog.All.Single(r => r.Plural == plural);
        var obj = make();
        ObjectDefaulter.Apply(rt, obj);
        var once = KubernetesJson.Serialize(obj);
        ObjectDefaulter.Apply(rt, obj);
        Assert.Equal(once, KubernetesJson.Serialize(obj));
    }

    private static Dictionary<string, ResourceQuantity>? Quantities(string? cpu, string? memory)
    {
        var map = new Dictionary<string, ResourceQuantity>();
        if (cpu is not null)
        {
            map["cpu"] = new ResourceQuantity(cpu);
        }
        if (memory is not null)
        {
            map["memory"] = new ResourceQuantity(memory);
        }
        return map.Count == 0 ? null : map;
    }
}
