using Navarch.Api.Resources;
using Navarch.ApiServer.Storage;

namespace Navarch.Integration.Tests;

/// <summary>Keys as upstream's API server lays them out in etcd, and back to their resource.</summary>
[Trait("Category", "Unit")]
public sealed class ObjectKeysTests
{
    public static TheoryData<string, string> Layout => new()
    {
        { "pods", "/registry/pods/ns1/x" },
        { "replicationcontrollers", "/registry/controllers/ns1/x" },
        { "services", "/registry/services/specs/ns1/x" },
        { "endpoints", "/registry/services/endpoints/ns1/x" },
        { "nodes", "/registry/minions/x" },
        { "namespaces", "/registry/namespaces/x" },
        { "events", "/registry/events/ns1/x" },
        { "leases", "/registry/leases/ns1/x" },
        { "endpointslices", "/registry/endpointslices/ns1/x" },
    };

    [Theory]
    [MemberData(nameof(Layout))]
    public void Every_resource_has_upstreams_key_and_the_key_maps_back_to_it(string plural, string expected)
    {
        var rt = ResourceCatalog.All.Single(r => r.Plural == plural);

        var key = ObjectKeys.For(rt, "ns1", "x");

        Assert.Equal(expected, key);
        Assert.Same(rt, ObjectKeys.ResourceOf(key));
        Assert.StartsWith(ObjectKeys.Prefix(rt), key);
    }

    [Theory]
    [InlineData("/registry/ranges/serviceips/10.96.0.1")]
    [InlineData("/registry/masterleases/10.0.0.1")]
    [InlineData("/registry/services/x")]
    [InlineData("")]
    public void Keys_of_no_resource_map_to_none(string key) => Assert.Null(ObjectKeys.ResourceOf(key));
}
