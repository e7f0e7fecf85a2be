using System.Net;
using System.Text;

namespace Navarch.ApiServer.Tests;

public sealed class InProcessServerTests
{
    [Fact]
    public async Task Serves_the_default_namespace_and_creates_a_pod()
    {
        await using var server = await InProcessServer.StartAsync();
        var ns = await server.Http.GetAsync("/api/v1/namespaces/default");
        Assert.Equal(HttpStatusCode.OK, ns.StatusCode);

        var body = """{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":[{"name":"c","image":"nginx"}]}}""";
        var created = await server.Http.PostAsync("/api/v1/namespaces/default/pods", new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var got = await server.Http.GetStringAsync("/api/v1/namespaces/default/pods/p");
        Assert.Contains("\"image\":\"nginx\"", got);
    }
}
