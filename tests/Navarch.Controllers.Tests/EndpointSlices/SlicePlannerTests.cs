using k8s.Models;
using Navarch.Controllers.EndpointSlices;
using Navarch.Controllers.Tests.Endpoints;

namespace Navarch.Controllers.Tests.EndpointSlices;

[Trait("Category", "Unit")]
public sealed class SlicePlannerTests
{
    private static readonly V1Service Service = Build.Service("web");

    private static List<V1Pod> Pods(int n, int from = 0) =>
        Enumerable.Range(from, n).Select(i => Build.Pod($"p{i:D4}", $"10.0.{i / 256}.{i % 256}")).ToList();

    // What the server would hold after carrying out a plan.
    private static List<V1EndpointSlice> Apply(IReadOnlyList<V1EndpointSlice> existing, SlicePlan plan)
    {
        var counter = existing.Count;
        var result = existing.Where(s => !plan.Delete.Contains(s) && !plan.Update.Any(u => u.Metadata.Name == s.Metadata.Name)).ToList();
        result.AddRange(plan.Update);
        foreach (var c in plan.Create)
        {
            c.Metadata.Name = $"{c.Metadata.GenerateName}{counter++:D5}";
            result.Add(c);
        }
        return result;
    }

    [Fact]
    public void A_new_service_gets_one_slice_with_labels_owner_and_resolved_ports()
    {
        var plan = SlicePlanner.Plan(Service, SliceEndpoints.Groups(Service, Pods(2)), []);

        var slice = Assert.Single(plan.Create);
        Assert.Equal("web-", slice.Metadata.GenerateName);
        Assert.Equal("web", slice.Metadata.Labels["kubernetes.io/service-name"]);
        Assert.Equal("endpointslice-controller.k8s.io", slice.Metadata.Labels["endpointslice.kubernetes.io/managed-by"]);
        Assert.Equal("web", slice.Metadata.Labels["app"]);
        var owner = Assert.Single(slice.Metadata.OwnerReferences);
        Assert.Equal(("Service", "web", "svc-web", true), (owner.Kind, owner.Name, owner.Uid, owner.Controller == true));
        Assert.Equal("IPv4", slice.AddressType);
        Assert.Equal(80, Assert.Single(slice.Ports).Port);
        Assert.Equal(["10.0.0.0", "10.0.0.1"], slice.Endpoints.Select(e => e.Addresses[0]));
        var e = slice.Endpoints[0];
        Assert.Equal((true, true, false, "node-1", "p0000"), (e.Conditions.Ready, e.Conditions.Serving, e.Conditions.Terminating, e.NodeName, e.TargetRef.Name));
    }

    [Fact]
    public void Endpoint_conditions_follow_readiness_and_termination()
    {
        var groups = SliceEndpoints.Groups(Service, [Build.Pod("a", "10.0.0.1", ready: false), Build.Pod("b", "10.0.0.2", deleting: true)]);
        var endpoints = Assert.Single(groups).Endpoints;

        Assert.Equal((false, false, false), (endpoints[0].Conditions.Ready, endpoints[0].Conditions.Serving, endpoints[0].Conditions.Terminating));
        Assert.Equal((false, true, true), (endpoints[1].Conditions.Ready, endpoints[1].Conditions.Serving, endpoints[1].Conditions.Terminating));
    }

    [Fact]
    public void More_than_100_endpoints_split_into_slices_of_at_most_100()
    {
        var plan = SlicePlanner.Plan(Service, SliceEndpoints.Groups(Service, Pods(250)), []);

        Assert.Equal([100, 100, 50], plan.Create.Select(s => s.Endpoints.Count));
    }

    [Fact]
    public void Planning_again_from_the_result_changes_nothing()
    {
        var groups = SliceEndpoints.Groups(Service, Pods(150));
        var slices = Apply([], SlicePlanner.Plan(Service, groups, []));

        Assert.True(SlicePlanner.Plan(Service, groups, slices).IsEmpty);
    }

    [Fact]
    public void A_new_pod_goes_into_an_existing_slice_with_room_and_a_gone_pod_leaves_only_its_slice()
    {
        var slices = Apply([], SlicePlanner.Plan(Service, SliceEndpoints.Groups(Service, Pods(150)), []));

        var grown = SlicePlanner.Plan(Service, SliceEndpoints.Groups(Service, Pods(151)), slices);
        Assert.Empty(grown.Create);
        Assert.Equal(51, Assert.Single(grown.Update).Endpoints.Count);

        var shrunk = SlicePlanner.Plan(Service, SliceEndpoints.Groups(Service, Pods(149, from: 1)), slices);
        Assert.Empty(shrunk.Create);
        Assert.Equal(99, Assert.Single(shrunk.Update).Endpoints.Count);
    }

    [Fact]
    public void A_pod_turning_unready_updates_its_slice_only()
    {
        var pods = Pods(150);
        var slices = Apply([], SlicePlanner.Plan(Service, SliceEndpoints.Groups(Service, pods), []));
        pods[120].Status.Conditions[0].Status = "False";

        var plan = SlicePlanner.Plan(Service, SliceEndpoints.Groups(Service, pods), slices);

        var updated = Assert.Single(plan.Update);
        Assert.False(updated.Endpoints.Single(e => e.TargetRef.Name == "p0120").Conditions.Ready);
        Assert.Empty(plan.Create);
        Assert.Empty(plan.Delete);
    }

    [Fact]
    public void A_service_without_endpoints_keeps_one_empty_placeholder()
    {
        var slices = Apply([], SlicePlanner.Plan(Service, SliceEndpoints.Groups(Service, Pods(3)), []));

        var plan = SlicePlanner.Plan(Service, SliceEndpoints.Groups(Service, []), slices);
        var placeholder = Assert.Single(plan.Create);
        Assert.Empty(placeholder.Endpoints);
        Assert.Empty(placeholder.Ports);
        Assert.Single(plan.Delete);

        var after = Apply(slices, plan);
        Assert.True(SlicePlanner.Plan(Service, SliceEndpoints.Groups(Service, []), after).IsEmpty);
        var back = SlicePlanner.Plan(Service, SliceEndpoints.Groups(Service, Pods(1)), after);
        Assert.Single(back.Create);
        Assert.Single(back.Delete);
    }

    [Fact]
    public void Pods_with_different_resolved_named_ports_land_in_different_slices()
    {
        var service = Build.Service("web", ports: [Build.Port("http", 80, "web")]);
        var pods = new[]
        {
            Build.Pod("a", "10.0.0.1", ports: Build.ContainerPort("web", 8080)),
            Build.Pod("b", "10.0.0.2", ports: Build.ContainerPort("web", 9090)),
        };

        var plan = SlicePlanner.Plan(service, SliceEndpoints.Groups(service, pods), []);

        Assert.Equal([8080, 9090], plan.Create.Select(s => s.Ports.Single().Port!.Value).Order());
        Assert.All(plan.Create, s => Assert.Equal("http", s.Ports.Single().Name));
    }

    [Fact]
    public void Changed_service_labels_update_the_slices()
    {
        var slices = Apply([], SlicePlanner.Plan(Service, SliceEndpoints.Groups(Service, Pods(2)), []));
        var relabelled = Build.Service("web");
        relabelled.Metadata.Labels["tier"] = "front";

        var plan = SlicePlanner.Plan(relabelled, SliceEndpoints.Groups(relabelled, Pods(2)), slices);

        Assert.Equal("front", Assert.Single(plan.Update).Metadata.Labels["tier"]);
    }
}
