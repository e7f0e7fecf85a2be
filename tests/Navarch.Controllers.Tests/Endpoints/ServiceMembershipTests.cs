using Navarch.Controllers.Endpoints;

namespace Navarch.Controllers.Tests.Endpoints;

[Trait("Category", "Unit")]
public sealed class ServiceMembershipTests
{
    [Fact]
    public void A_relabelled_pod_concerns_the_services_it_left_and_joined()
    {
        var web = Build.Service("web");
        var api = Build.Service("api");
        var noSelector = Build.Service("manual");
        noSelector.Spec.Selector = null;
        var before = Build.Pod("p", "10.0.0.1");
        var after = Build.Pod("p", "10.0.0.1");
        after.Metadata.Labels = new Dictionary<string, string> { ["app"] = "api" };

        Assert.Equal(["default/web"], ServiceMembership.ServicesOf(before, [web, api, noSelector]));
        Assert.Equal(["default/web", "default/api"], ServiceMembership.ServicesOfChange(before, after, [web, api, noSelector]));
    }

    [Theory]
    [InlineData("8080", 8080)]
    [InlineData("web", 9000)]
    [InlineData("", 80)]
    [InlineData("missing", null)]
    public void Find_port(string target, int? expected)
    {
        var pod = Build.Pod("p", "10.0.0.1", ports: Build.ContainerPort("web", 9000));
        Assert.Equal(expected, PodEndpointRules.FindPort(pod, Build.Port("http", 80, target)));
    }
}
