using System.Net;
using System.Text;
using k8s;
using k8s.Models;
using Navarch.Integration.Tests.Fixtures;

namespace Navarch.Integration.Tests;

/// <summary>
/// Every error status the API answers (400, 404, 409, 413, 415) as the official C# client and raw HTTP see it:
/// the code, the Status reason and a message that names the object.
/// </summary>
[Trait("Category", "Integration")]
public sealed class StatusCodeTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private Kubernetes Client => fixture.Client;

    [Fact]
    public async Task Undecodable_bodies_are_400_BadRequest()
    {
        var ns = await fixture.NewNamespaceAsync();
        foreach (var body in new[] { "{not json", """{"kind":"Pod","apiVersion":"v1","metadata":{"name":"x"},"spec":{"containers":"oops"}}""" })
        {
            using var response = await fixture.Http.PostAsync($"/api/v1/namespaces/{ns}/pods", new StringContent(body, Encoding.UTF8, "application/json"));
            var status = await ApiAssert.StatusAsync(400, response);
            Assert.Equal("BadRequest", status.Reason);
        }
        using var wrongKind = await fixture.Http.PostAsync($"/api/v1/namespaces/{ns}/pods",
            new StringContent("""{"kind":"Service","apiVersion":"v1","metadata":{"name":"x"}}""", Encoding.UTF8, "application/json"));
        Assert.Equal("BadRequest", (await ApiAssert.StatusAsync(400, wrongKind)).Reason);
    }

    [Fact]
    public async Task Missing_objects_and_namespaces_are_404_NotFound()
    {
        var ns = await fixture.NewNamespaceAsync();
        var status = await ApiAssert.FailsAsync(404, () => Client.CoreV1.ReadNamespacedPodAsync("nope", ns));
        Assert.Equal("NotFound", status.Reason);
        Assert.Equal("pods \"nope\" not found", status.Message);
        Assert.Equal("nope", status.Details.Name);
        Assert.Equal("pods", status.Details.Kind);

        var missingNs = await ApiAssert.FailsAsync(404, () => Client.CoreV1.CreateNamespacedPodAsync(Objects.Pod("p"), "no-such-namespace"));
        Assert.Equal("namespaces \"no-such-namespace\" not found", missingNs.Message);
        await ApiAssert.FailsAsync(404, () => Client.CoreV1.DeleteNamespacedServiceAsync("nope", ns));
        await ApiAssert.FailsAsync(404, () => Client.CoreV1.ReadNodeAsync("no-such-node"));
    }

    [Fact]
    public async Task Creating_twice_is_409_AlreadyExists()
    {
        var ns = await fixture.NewNamespaceAsync();
        await Client.CoreV1.CreateNamespacedPodAsync(Objects.Pod("twice"), ns);
        var status = await ApiAssert.FailsAsync(409, () => Client.CoreV1.CreateNamespacedPodAsync(Objects.Pod("twice"), ns));
        Assert.Equal("AlreadyExists", status.Reason);
        Assert.Equal("pods \"twice\" already exists", status.Message);
    }

    [Fact]
    public async Task Updating_a_stale_resourceVersion_is_409_Conflict()
    {
        var ns = await fixture.NewNamespaceAsync();
        await Client.CoreV1.CreateNamespacedPodAsync(Objects.Pod("stale"), ns);
        var first = await Client.CoreV1.ReadNamespacedPodAsync("stale", ns);
        var second = await Client.CoreV1.ReadNamespacedPodAsync("stale", ns);
        first.Metadata.Labels = new Dictionary<string, string> { ["winner"] = "first" };
        var updated = await Client.CoreV1.ReplaceNamespacedPodAsync(first, "stale", ns);
        Assert.True(long.Parse(updated.Metadata.ResourceVersion) > long.Parse(second.Metadata.ResourceVersion), "an update must raise the resourceVersion");

        second.Metadata.Labels = new Dictionary<string, string> { ["winner"] = "second" };
        var status = await ApiAssert.FailsAsync(409, () => Client.CoreV1.ReplaceNamespacedPodAsync(second, "stale", ns));
        Assert.Equal("Conflict", status.Reason);
        Assert.Equal("Operation cannot be fulfilled on pods \"stale\": the object has been modified; please apply your changes to the latest version and try again", status.Message);
        Assert.Equal("first", (await Client.CoreV1.ReadNamespacedPodAsync("stale", ns)).Metadata.Labels["winner"]);
    }

    [Fact]
    public async Task Bodies_over_3_MiB_are_413()
    {
        var ns = await fixture.NewNamespaceAsync();
        var pod = Objects.Pod("huge");
        pod.Metadata.Annotations = new Dictionary<string, string> { ["big"] = new string('x', 3 * 1024 * 1024 + 1) };
        var status = await ApiAssert.FailsAsync(413, () => Client.CoreV1.CreateNamespacedPodAsync(pod, ns));
        Assert.Equal("RequestEntityTooLarge", status.Reason);
        await ApiAssert.FailsAsync(404, () => Client.CoreV1.ReadNamespacedPodAsync("huge", ns));
    }

    [Fact]
    public async Task Unsupported_patch_types_are_415()
    {
        var ns = await fixture.NewNamespaceAsync();
        await Client.CoreV1.CreateNamespacedPodAsync(Objects.Pod("patched"), ns);
        using var request = new HttpRequestMessage(HttpMethod.Patch, $"/api/v1/namespaces/{ns}/pods/patched")
        {
            Content = new StringContent("""{"metadata":{"labels":{"a":"b"}}}""", Encoding.UTF8, "text/plain"),
        };
        using var response = await fixture.Http.SendAsync(request);
        var status = await ApiAssert.StatusAsync(415, response);
        Assert.Equal("UnsupportedMediaType", status.Reason);
        Assert.Contains("application/merge-patch+json", status.Message);
    }

    [Fact]
    public async Task FieldValidation_Strict_names_unknown_fields_and_Warn_returns_a_Warning_header()
    {
        var ns = await fixture.NewNamespaceAsync();
        static string Body(string name) =>
            $$$"""{"apiVersion":"v1","kind":"Pod","metadata":{"name":"{{{name}}}","bogus":1},"spec":{"containers":[{"name":"a","image":"nginx","imagePullPolcy":"Always"}]}}""";

        using var strict = await fixture.Http.PostAsync($"/api/v1/namespaces/{ns}/pods?fieldValidation=Strict", new StringContent(Body("strict"), Encoding.UTF8, "application/json"));
        var status = await ApiAssert.StatusAsync(400, strict);
        Assert.Equal("BadRequest", status.Reason);
        Assert.StartsWith("Pod in version \"v1\" cannot be handled as a Pod: strict decoding error: ", status.Message);
        Assert.Contains("unknown field \"metadata.bogus\"", status.Message);
        Assert.Contains("unknown field \"spec.containers[0].imagePullPolcy\"", status.Message);

        using var warn = await fixture.Http.PostAsync($"/api/v1/namespaces/{ns}/pods?fieldValidation=Warn", new StringContent(Body("warn"), Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Created, warn.StatusCode);
        var warnings = warn.Headers.TryGetValues("Warning", out var values) ? string.Join("\n", values) : "";
        Assert.Contains("299 - \"unknown field \\\"metadata.bogus\\\"\"", warnings);
        Assert.Contains("unknown field \\\"spec.containers[0].imagePullPolcy\\\"", warnings);

        using var ignore = await fixture.Http.PostAsync($"/api/v1/namespaces/{ns}/pods?fieldValidation=Ignore", new StringContent(Body("ignore"), Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Created, ignore.StatusCode);
        Assert.False(ignore.Headers.Contains("Warning"), "Ignore must not warn");
    }
}
