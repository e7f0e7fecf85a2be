using Navarch.Api.Resources;

namespace Navarch.Api.Tests;

[Trait("Category", "Unit")]
public class CatalogTests
{
    [Fact]
    public void Every_resource_decodes_its_own_kind()
    {
        foreach (var rt in ResourceCatalog.All)
        {
            var obj = rt.Decode($"{{\"apiVersion\":\"{rt.ApiVersion}\",\"kind\":\"{rt.Kind}\",\"metadata\":{{\"name\":\"x\"}}}}");
            Assert.IsType(rt.ClrType, obj);
            Assert.Equal("x", obj.Metadata.Name);
        }
    }

    [Fact]
    public void Find_resolves_group_version_and_plural()
    {
        Assert.Same(ResourceCatalog.Leases, ResourceCatalog.Find("coordination.k8s.io", "v1", "leases"));
        Assert.Null(ResourceCatalog.Find("", "v1", "deployments"));
    }
}
