using k8s;
using k8s.Models;
using Navarch.Api.Resources;
using Navarch.Api.Selectors;

namespace Navarch.Api.Tests.Selectors;

[Trait("Category", "Unit")]
public class ObjectFieldsTests
{
    private static readonly V1Pod Pod = new()
    {
        Metadata = new V1ObjectMeta { Name = "p", NamespaceProperty = "ns" },
        Spec = new V1PodSpec { NodeName = "n1", RestartPolicy = "Always", SchedulerName = "default-scheduler", HostNetwork = true },
        Status = new V1PodStatus { Phase = "Running", PodIPs = [new V1PodIP { Ip = "10.0.0.5" }] },
    };

    public static TheoryData<string, string, IKubernetesObject<V1ObjectMeta>, string?> Values => new()
    {
        { "pods", "metadata.name", Pod, "p" },
        { "pods", "metadata.namespace", Pod, "ns" },
        { "pods", "spec.nodeName", Pod, "n1" },
        { "pods", "spec.host", Pod, "n1" },
        { "pods", "spec.hostNetwork", Pod, "true" },
        { "pods", "status.podIP", Pod, "10.0.0.5" },
        { "pods", "status.nominatedNodeName", Pod, "" },
        { "pods", "spec.containers", Pod, null },
        { "nodes", "spec.unschedulable", new V1Node { Spec = new V1NodeSpec() }, "false" },
        { "nodes", "metadata.namespace", new V1Node(), null },
        { "replicationcontrollers", "status.replicas", new V1ReplicationController { Status = new V1ReplicationControllerStatus { Replicas = 3 } }, "3" },
        { "namespaces", "status.phase", new V1Namespace { Status = new V1NamespaceStatus { Phase = "Active" } }, "Active" },
        { "services", "spec.type", new V1Service { Spec = new V1ServiceSpec { Type = "NodePort" } }, "NodePort" },
        { "events", "involvedObject.name", new Corev1Event { InvolvedObject = new V1ObjectReference { Name = "x" } }, "x" },
        { "events", "source", new Corev1Event { ReportingComponent = "kubelet" }, "kubelet" },
        { "leases", "metadata.name", new V1Lease { Metadata = new V1ObjectMeta { Name = "l" } }, "l" },
        { "leases", "spec.holderIdentity", new V1Lease(), null },
    };

    [Theory]
    [MemberData(nameof(Values))]
    public void GetValue_renders_fields_as_upstream(string plural, string field, IKubernetesObject<V1ObjectMeta> obj, string? expected)
    {
        var rt = ResourceCatalog.All.Single(r => r.Plural == plural);
        Assert.Equal(expected, ObjectFields.GetValue(rt, obj, field));
        Assert.Equal(expected is not null, ObjectFields.IsSupported(rt, field));
    }

    [Fact]
    public void Unsupported_messages_match_upstream()
    {
        Assert.Equal("field label not supported: spec.foo", ObjectFields.UnsupportedMessage("spec.foo"));
        Assert.Equal("field label not supported: spec.foo", ObjectFields.UnsupportedMessage(ResourceCatalog.Pods, "spec.foo"));
        Assert.Equal("\"spec.foo\" is not a known field selector: only \"metadata.name\", \"metadata.namespace\"",
            ObjectFields.UnsupportedMessage(ResourceCatalog.Leases, "spec.foo"));
    }
}
