using k8s.Models;
using Navarch.Controllers.Endpoints;

namespace Navarch.Controllers.Tests.Endpoints;

[Trait("Category", "Unit")]
public sealed class EndpointsBuilderTests
{
    [Fact]
    public void Ready_and_not_ready_pods_split_into_addresses_and_not_ready_addresses()
    {
        var subsets = EndpointsBuilder.Subsets(Build.Service(), [Build.Pod("b", "10.0.0.2"), Build.Pod("a", "10.0.0.1"), Build.Pod("c", "10.0.0.3", ready: false)]);

        var subset = Assert.Single(subsets);
        Assert.Equal(["10.0.0.1", "10.0.0.2"], subset.Addresses.Select(a => a.Ip));
        Assert.Equal(["10.0.0.3"], subset.NotReadyAddresses.Select(a => a.Ip));
        var port = Assert.Single(subset.Ports);
        Assert.Equal((80, "TCP"), (port.Port, port.Protocol));
        var first = subset.Addresses[0];
        Assert.Equal(("Pod", "default", "a", "uid-a", "node-1"), (first.TargetRef.Kind, first.TargetRef.NamespaceProperty, first.TargetRef.Name, first.TargetRef.Uid, first.NodeName));
    }

    public static TheoryData<string, V1Pod, bool> Inclusion => new()
    {
        { "pod without an IP", Build.Pod("p", null), false },
        { "succeeded pod", Build.Pod("p", "10.0.0.1", phase: "Succeeded"), false },
        { "failed pod", Build.Pod("p", "10.0.0.1", phase: "Failed"), false },
        { "terminating pod", Build.Pod("p", "10.0.0.1", deleting: true), false },
        { "running ready pod", Build.Pod("p", "10.0.0.1"), true },
        { "running unready pod (as not ready)", Build.Pod("p", "10.0.0.1", ready: false), true },
    };

    [Theory]
    [MemberData(nameof(Inclusion))]
    public void Which_pods_become_endpoints(string because, V1Pod pod, bool included)
    {
        var subsets = EndpointsBuilder.Subsets(Build.Service(), [pod]);
        Assert.True(included == (subsets.Count == 1), because);
    }

    [Fact]
    public void Publish_not_ready_addresses_lists_every_pod_as_ready_even_terminating_ones()
    {
        var subsets = EndpointsBuilder.Subsets(Build.Service(publishNotReady: true), [Build.Pod("a", "10.0.0.1", ready: false), Build.Pod("b", "10.0.0.2", deleting: true)]);

        Assert.Equal(["10.0.0.1", "10.0.0.2"], Assert.Single(subsets).Addresses.Select(a => a.Ip));
    }

    [Fact]
    public void Named_target_ports_resolve_per_pod_and_group_pods_by_port_set()
    {
        var service = Build.Service(ports: [Build.Port("http", 80, "web")]);
        var pods = new[]
        {
            Build.Pod("a", "10.0.0.1", ports: Build.ContainerPort("web", 8080)),
            Build.Pod("b", "10.0.0.2", ports: Build.ContainerPort("web", 9090)),
            Build.Pod("c", "10.0.0.3", ports: Build.ContainerPort("web", 8080)),
            Build.Pod("d", "10.0.0.4", ports: Build.ContainerPort("other", 8080)),
        };

        var subsets = EndpointsBuilder.Subsets(service, pods);

        Assert.Equal(2, subsets.Count);
        Assert.Equal((8080, "http"), (subsets[0].Ports[0].Port, subsets[0].Ports[0].Name));
        Assert.Equal(["10.0.0.1", "10.0.0.3"], subsets[0].Addresses.Select(a => a.Ip));
        Assert.Equal(9090, subsets[1].Ports[0].Port);
        Assert.Equal(["10.0.0.2"], subsets[1].Addresses.Select(a => a.Ip));
    }

    [Fact]
    public void A_pod_serving_several_service_ports_is_one_address_with_all_of_them()
    {
        var service = Build.Service(ports: [Build.Port("http", 80, "80"), Build.Port("metrics", 9100, "9100")]);

        var subset = Assert.Single(EndpointsBuilder.Subsets(service, [Build.Pod("a", "10.0.0.1")]));

        Assert.Equal(["http", "metrics"], subset.Ports.Select(p => p.Name));
        Assert.Single(subset.Addresses);
    }

    [Fact]
    public void A_named_port_must_match_protocol_too()
    {
        var service = Build.Service(ports: [Build.Port("dns", 53, "dns", "UDP")]);
        var pod = Build.Pod("a", "10.0.0.1", ports: Build.ContainerPort("dns", 53, "TCP"));

        Assert.Empty(EndpointsBuilder.Subsets(service, [pod]));
    }

    [Fact]
    public void Headless_service_without_ports_keeps_addresses_without_ports()
    {
        var service = Build.Service(clusterIp: "None");
        service.Spec.Ports = [];

        var subset = Assert.Single(EndpointsBuilder.Subsets(service, [Build.Pod("a", "10.0.0.1")]));

        Assert.Null(subset.Ports);
        Assert.Single(subset.Addresses);
    }

    [Fact]
    public void Same_subsets_ignores_order_and_pod_resource_versions()
    {
        var a = EndpointsBuilder.Subsets(Build.Service(), [Build.Pod("a", "10.0.0.1"), Build.Pod("b", "10.0.0.2")]);
        var b = EndpointsBuilder.Subsets(Build.Service(), [Build.Pod("b", "10.0.0.2"), Build.Pod("a", "10.0.0.1")]);
        b[0].Addresses.Reverse();
        b[0].Addresses[0].TargetRef.ResourceVersion = "42";

        Assert.True(EndpointsBuilder.SameSubsets(a, b));
        Assert.False(EndpointsBuilder.SameSubsets(a, EndpointsBuilder.Subsets(Build.Service(), [Build.Pod("a", "10.0.0.1")])));
    }

    [Theory]
    [InlineData(1200, 0, 1000, 0)]
    [InlineData(900, 300, 900, 100)]
    [InlineData(10, 5, 10, 5)]
    public void Truncation_keeps_ready_addresses_first(int ready, int notReady, int keptReady, int keptNotReady)
    {
        var pods = Enumerable.Range(0, ready + notReady)
            .Select(i => Build.Pod($"p{i}", $"10.{i / 65536}.{i / 256 % 256}.{i % 256}", ready: i < ready)).ToList();
        var subsets = EndpointsBuilder.Subsets(Build.Service(), pods);

        var cut = EndpointsBuilder.Truncate(subsets);

        Assert.Equal(ready + notReady > 1000, cut);
        Assert.Equal(keptReady, subsets.Sum(s => s.Addresses?.Count ?? 0));
        Assert.Equal(keptNotReady, subsets.Sum(s => s.NotReadyAddresses?.Count ?? 0));
    }

    [Fact]
    public void Labels_copy_the_service_and_mark_headless_services()
    {
        Assert.Equal(new Dictionary<string, string> { ["app"] = "web" }, EndpointsController.DesiredLabels(Build.Service()));
        Assert.Equal(new Dictionary<string, string> { ["app"] = "web", ["service.kubernetes.io/headless"] = "" }, EndpointsController.DesiredLabels(Build.Service(clusterIp: "None")));
    }
}
