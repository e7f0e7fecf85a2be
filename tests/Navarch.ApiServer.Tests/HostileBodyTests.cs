using System.Net;
using System.Text;

namespace Navarch.ApiServer.Tests;

/// <summary>Single hostile bodies found by hand or by the fuzzer, each answered with a Status and survived.</summary>
[Trait("Category", "Integration")]
public sealed class HostileBodyTests : IAsyncLifetime
{
    private InProcessServer _server = null!;

    private const string Pod = """{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","labels":{"a":"b"}},"spec":{"containers":[{"name":"c","image":"nginx"}]}}""";
    private const string Service = """{"apiVersion":"v1","kind":"Service","metadata":{"name":"s"},"spec":{"type":"NodePort","ports":[{"port":80}]}}""";

    public async Task InitializeAsync()
    {
        _server = await InProcessServer.StartAsync();
        foreach (var (path, body) in new[] { ("pods", Pod), ("services", Service) })
        {
            using var created = await _server.Http.PostAsync($"/api/v1/namespaces/default/{path}", new StringContent(body, Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }
    }

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

    /// <summary>What the fuzzer found, each once a 500: a Status in the 400s now, and nothing logged as unexpected.</summary>
    [Theory]
    [InlineData("a repeated key", "POST", "pods", "application/json", """{"kind":"Pod","kind":"Pod","metadata":{"name":"q"}}""", 400)]
    [InlineData("a null label value", "POST", "pods", "application/json", """{"kind":"Pod","metadata":{"name":"q","labels":{"a":null}},"spec":{"containers":[{"name":"c","image":"nginx"}]}}""", 201)]
    [InlineData("a null container", "POST", "pods", "application/json", """{"kind":"Pod","metadata":{"name":"r"},"spec":{"containers":[null]}}""", 422)]
    [InlineData("an object for an IntOrString", "PATCH", "services/s", "application/merge-patch+json", """{"spec":{"ports":[{"port":80,"targetPort":{}}]}}""", 400)]
    [InlineData("a quantity with a bad suffix", "PATCH", "pods/p", "application/merge-patch+json", """{"spec":{"overhead":{"cpu":"1x"}}}""", 400)]
    [InlineData("a number for the service type", "PUT", "services/s", "application/json", """{"kind":"Service","metadata":{"name":"s"},"spec":{"type":0,"ports":[{"port":80}]}}""", 400)]
    [InlineData("a binding target of the wrong type", "POST", "pods/p/binding", "application/json", """{"kind":"Binding","metadata":{"name":"p"},"target":{"name":[]}}""", 400)]
    [InlineData("delete options of the wrong type", "DELETE", "pods/nope", "application/json", """{"gracePeriodSeconds":"soon"}""", 400)]
    [InlineData("40 doubling copies", "PATCH", "pods/p", "application/json-patch+json", "COPIES", 413)]
    [InlineData("10,000 nested arrays", "POST", "pods", "application/json", "DEEP", 400)]
    [InlineData("10,000 nested yaml sequences", "POST", "pods", "application/yaml", "DEEPYAML", 400)]
    public async Task A_hostile_body_gets_a_status_not_a_server_error(string name, string method, string path, string contentType, string body, int expected)
    {
        _ = name;
        body = body switch
        {
            "COPIES" => "[" + string.Join(",", Enumerable.Range(0, 40).Select(i => $$"""{"op":"copy","from":"/metadata","path":"/metadata/labels/x{{i}}"}""")) + "]",
            "DEEP" => new string('[', 10_000) + new string(']', 10_000),
            "DEEPYAML" => "kind: Pod\nspec: " + new string('[', 10_000) + new string(']', 10_000),
            _ => body,
        };
        var errorsBefore = _server.Errors.Count;
        using var request = new HttpRequestMessage(new HttpMethod(method), $"/api/v1/namespaces/default/{path}")
        {
            Content = new StringContent(body, Encoding.UTF8, contentType),
        };
        using var response = await _server.Http.SendAsync(request);

        var answer = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == expected, $"{(int)response.StatusCode}: {answer}");
        Assert.Empty(_server.Errors.Since(errorsBefore));
    }
}
