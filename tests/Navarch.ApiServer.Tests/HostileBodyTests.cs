using System.Net;
using System.Text;

namespace Navarch.ApiServer.Tests;

/// <summary>Single hostile bodies found by hand or by the fuzzer, each answered with a Status and survived.</summary>
[Trait("Category", "Integration")]
public sealed class HostileBodyTests : IAsyncLifetime
{
    private InProcessServer _server = null!;

    public async Task InitializeAsync() => _server = await InProcessServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task A_self_referencing_yaml_alias_is_a_400_and_the_server_keeps_serving()
    {
        const string body = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\nx: &a [*a, *a]";
        var response = await _server.Http.PostAsync("/api/v1/namespaces/default/pods", new StringContent(body, Encoding.UTF8, "application/yaml"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var status = await response.Content.ReadAsStringAsync();
        Assert.Contains("\"kind\":\"Status\"", status);
        Assert.Contains("anchor 'a' value contains itself", status);
        Assert.Equal(HttpStatusCode.OK, (await _server.Http.GetAsync("/api/v1/namespaces/default")).StatusCode);
    }
}
