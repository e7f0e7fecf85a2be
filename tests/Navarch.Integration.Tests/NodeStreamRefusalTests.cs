using k8s;
using Navarch.Integration.Tests.Fixtures;

namespace Navarch.Integration.Tests;

/// <summary>
/// <c>pods/portforward</c> and <c>pods/attach</c> requests the API server refuses before it reaches any node, each
/// with a Status that says why (the relays themselves run in the agent's end-to-end test, against containerd).
/// </summary>
[Trait("Category", "Integration")]
public sealed class NodeStreamRefusalTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private enum Upgrade { None, Spdy, WebSocket }

    [Fact]
    public async Task A_request_that_does_not_upgrade_is_400()
    {
        var ns = await fixture.NewNamespaceAsync();
        await fixture.Client.CoreV1.CreateNamespacedPodAsync(Objects.Pod("web"), ns);
        var status = await ApiAssert.StatusAsync(400, await SendAsync(ns, "web", Upgrade.None));
        Assert.Equal("BadRequest", status.Reason);
        Assert.Contains("Upgrade request required", status.Message);
    }

    [Fact]
    public async Task Attach_without_an_upgrade_is_400_and_to_an_unscheduled_pod_too()
    {
        var ns = await fixture.NewNamespaceAsync();
        await fixture.Client.CoreV1.CreateNamespacedPodAsync(Objects.Pod("web"), ns);
        var plain = await ApiAssert.StatusAsync(400, await fixture.Http.PostAsync($"/api/v1/namespaces/{ns}/pods/web/attach?stdin=true", null));
        Assert.Contains("Upgrade request required: attach is served over WebSocket", plain.Message);
        var spdy = await ApiAssert.StatusAsync(400, await SendAsync(ns, "web", Upgrade.Spdy, "v4.channel.k8s.io", "attach?stdin=true&stdout=true"));
        Assert.Equal("pod web does not have a host assigned", spdy.Message);
    }

    [Fact]
    public async Task A_WebSocket_of_a_protocol_not_served_or_without_ports_is_400()
    {
        var ns = await fixture.NewNamespaceAsync();
        await fixture.Client.CoreV1.CreateNamespacedPodAsync(Objects.Pod("web"), ns);
        var status = await ApiAssert.StatusAsync(400, await SendAsync(ns, "web", Upgrade.WebSocket, "v5.channel.k8s.io"));
        Assert.Contains("requested protocol(s) are not supported: [v5.channel.k8s.io]; want SPDY/3.1+portforward.k8s.io or one of [v4.channel.k8s.io", status.Message);
        var noPorts = await ApiAssert.StatusAsync(400, await SendAsync(ns, "web", Upgrade.WebSocket, "v4.channel.k8s.io", "portforward"));
        Assert.Equal("query parameter \"ports\" is required", noPorts.Message);
        var badPort = await ApiAssert.StatusAsync(400, await SendAsync(ns, "web", Upgrade.WebSocket, "v4.channel.k8s.io", "portforward?ports=80,http"));
        Assert.StartsWith("unable to parse \"80,http\" as a port", badPort.Message);
    }

    [Fact]
    public async Task A_pod_without_a_node_is_400_and_a_missing_pod_404()
    {
        var ns = await fixture.NewNamespaceAsync();
        await fixture.Client.CoreV1.CreateNamespacedPodAsync(Objects.Pod("unscheduled"), ns);
        var unscheduled = await ApiAssert.StatusAsync(400, await SendAsync(ns, "unscheduled", Upgrade.Spdy, "portforward.k8s.io"));
        Assert.Equal("pod unscheduled does not have a host assigned", unscheduled.Message);
        var tunnelled = await ApiAssert.StatusAsync(400, await SendAsync(ns, "unscheduled", Upgrade.WebSocket, "SPDY/3.1+portforward.k8s.io"));
        Assert.Equal("pod unscheduled does not have a host assigned", tunnelled.Message);
        var channels = await ApiAssert.StatusAsync(400, await SendAsync(ns, "unscheduled", Upgrade.WebSocket, "v4.channel.k8s.io"));
        Assert.Equal("pod unscheduled does not have a host assigned", channels.Message);
        var missing = await ApiAssert.StatusAsync(404, await SendAsync(ns, "nope", Upgrade.Spdy, "portforward.k8s.io"));
        Assert.Equal("pods \"nope\" not found", missing.Message);
    }

    private async Task<HttpResponseMessage> SendAsync(string ns, string pod, Upgrade upgrade, string protocol = "", string subresource = "portforward?ports=80")
    {
        var request = new HttpRequestMessage(upgrade == Upgrade.WebSocket ? HttpMethod.Get : HttpMethod.Post, $"/api/v1/namespaces/{ns}/pods/{pod}/{subresource}");
        if (upgrade == Upgrade.Spdy)
        {
            request.Headers.Connection.Add("Upgrade");
            request.Headers.Upgrade.Add(new("SPDY", "3.1"));
            request.Headers.Add("X-Stream-Protocol-Version", protocol);
        }
        else if (upgrade == Upgrade.WebSocket)
        {
            request.Headers.Connection.Add("Upgrade");
            request.Headers.Upgrade.Add(new("websocket"));
            request.Headers.Add("Sec-WebSocket-Version", "13");
            request.Headers.Add("Sec-WebSocket-Key", Convert.ToBase64String(new byte[16]));
            request.Headers.Add("Sec-WebSocket-Protocol", protocol);
        }
        return await fixture.Http.SendAsync(request);
    }
}
