using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace Navarch.ApiServer.Tests.Admission;

/// <summary>The admission chain on every write path of a server in process: denials, warnings, and the flags.</summary>
[Trait("Category", "Integration")]
public sealed class AdmissionChainTests
{
    private const string HostPathPod = """{"apiVersion":"v1","kind":"Pod","metadata":{"name":"root"},"spec":{"volumes":[{"name":"root","hostPath":{"path":"/"}}],"containers":[{"name":"c","image":"x","volumeMounts":[{"name":"root","mountPath":"/host"}]}]}}""";
    private const string PlainPod = """{"apiVersion":"v1","kind":"Pod","metadata":{"name":"plain"},"spec":{"containers":[{"name":"c","image":"x"}]}}""";

    [Fact]
    public async Task Enforce_baseline_refuses_a_hostPath_pod_with_upstreams_message_and_warn_restricted_warns()
    {
        await using var server = await InProcessServer.StartAsync();
        await NamespaceAsync(server, "psa", """{"pod-security.kubernetes.io/enforce":"baseline","pod-security.kubernetes.io/warn":"restricted"}""");

        var refused = await Send(server, HttpMethod.Post, "/api/v1/namespaces/psa/pods", HostPathPod, HttpStatusCode.Forbidden);
        var status = JsonNode.Parse(await refused.Content.ReadAsStringAsync())!;
        Assert.Equal("pods \"root\" is forbidden: violates PodSecurity \"baseline:latest\": hostPath volumes (volume \"root\")", (string?)status["message"]);
        Assert.Equal(("Forbidden", "pods"), ((string?)status["reason"], (string?)status["details"]?["kind"]));
        Assert.Empty(refused.Headers.Warning); // no warning on a request refused

        var created = await Send(server, HttpMethod.Post, "/api/v1/namespaces/psa/pods", PlainPod, HttpStatusCode.Created);
        var warning = Assert.Single(created.Headers.Warning);
        Assert.Equal(299, warning.Code);
        Assert.StartsWith("\"would violate PodSecurity \\\"restricted:latest\\\": allowPrivilegeEscalation != false (container \\\"c\\\" must set", warning.Text);
        var pod = JsonNode.Parse(await created.Content.ReadAsStringAsync())!;
        Assert.Equal("default", (string?)pod["spec"]?["serviceAccountName"]);

        // Workload templates only warn, whatever enforce says.
        var deployment = """{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"selector":{"matchLabels":{"a":"b"}},"template":{"metadata":{"labels":{"a":"b"}},"spec":{"hostNetwork":true,"containers":[{"name":"c","image":"x"}]}}}}""";
        var d = await Send(server, HttpMethod.Post, "/apis/apps/v1/namespaces/psa/deployments", deployment, HttpStatusCode.Created);
        Assert.Contains("would violate PodSecurity \\\"restricted:latest\\\": host namespaces (hostNetwork)", Assert.Single(d.Headers.Warning).Text);
    }

    [Fact]
    public async Task Raising_enforce_warns_about_existing_pods_and_bad_labels_are_invalid()
    {
        await using var server = await InProcessServer.StartAsync();
        await NamespaceAsync(server, "lbl", "{}");
        await Send(server, HttpMethod.Post, "/api/v1/namespaces/lbl/pods", HostPathPod, HttpStatusCode.Created);

        var labelled = await Send(server, HttpMethod.Patch, "/api/v1/namespaces/lbl", """{"metadata":{"labels":{"pod-security.kubernetes.io/enforce":"baseline"}}}""", HttpStatusCode.OK, "application/merge-patch+json");
        Assert.Equal(
            ["\"existing pods in namespace \\\"lbl\\\" violate the new PodSecurity enforce level \\\"baseline:latest\\\"\"", "\"root: hostPath volumes\""],
            labelled.Headers.Warning.Select(w => w.Text));

        var bad = await Send(server, HttpMethod.Patch, "/api/v1/namespaces/lbl", """{"metadata":{"labels":{"pod-security.kubernetes.io/warn":"strict"}}}""", (HttpStatusCode)422, "application/merge-patch+json");
        Assert.Contains("metadata.labels[pod-security.kubernetes.io/warn]: Invalid value: \\\"strict\\\": must be one of privileged, baseline, restricted", await bad.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Apply_and_image_patches_pass_admission_too()
    {
        await using var server = await InProcessServer.StartAsync();
        await NamespaceAsync(server, "paths", "{}");
        await Send(server, HttpMethod.Post, "/api/v1/namespaces/paths/pods", HostPathPod, HttpStatusCode.Created);
        await Send(server, HttpMethod.Patch, "/api/v1/namespaces/paths", """{"metadata":{"labels":{"pod-security.kubernetes.io/enforce":"baseline"}}}""", HttpStatusCode.OK, "application/merge-patch+json");

        // An update that changes an image is evaluated again; one that does not (labels) is not.
        var image = await Send(server, HttpMethod.Patch, "/api/v1/namespaces/paths/pods/root", """{"spec":{"containers":[{"name":"c","image":"y"}]}}""", HttpStatusCode.Forbidden, "application/strategic-merge-patch+json");
        Assert.Equal("pods \"root\" is forbidden: violates PodSecurity \"baseline:latest\": hostPath volumes (volume \"root\")", await MessageOf(image));
        await Send(server, HttpMethod.Patch, "/api/v1/namespaces/paths/pods/root", """{"metadata":{"labels":{"a":"b"}}}""", HttpStatusCode.OK, "application/merge-patch+json");

        // Server-side apply that creates.
        var applied = await Send(server, HttpMethod.Patch, "/api/v1/namespaces/paths/pods/other?fieldManager=test",
            HostPathPod.Replace("\"name\":\"root\"}", "\"name\":\"other\"}"), HttpStatusCode.Forbidden, "application/apply-patch+yaml");
        Assert.StartsWith("pods \"other\" is forbidden: violates PodSecurity", await MessageOf(applied));
    }

    [Fact]
    public async Task NamespaceLifecycle_refuses_missing_namespaces_and_deleting_default()
    {
        await using var server = await InProcessServer.StartAsync();
        var missing = await Send(server, HttpMethod.Post, "/api/v1/namespaces/nowhere/pods", PlainPod, HttpStatusCode.NotFound);
        Assert.Contains("namespaces \\\"nowhere\\\" not found", await missing.Content.ReadAsStringAsync());
        var delete = await Send(server, HttpMethod.Delete, "/api/v1/namespaces/default", null, HttpStatusCode.Forbidden);
        Assert.Contains("namespaces \\\"default\\\" is forbidden: this namespace may not be deleted", await delete.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Disabled_plugins_do_not_run()
    {
        await using var server = await InProcessServer.StartAsync(o => o.DisableAdmissionPlugins = ["PodSecurity", "ServiceAccount"]);
        await NamespaceAsync(server, "off", """{"pod-security.kubernetes.io/enforce":"restricted"}""");
        var created = await Send(server, HttpMethod.Post, "/api/v1/namespaces/off/pods", HostPathPod, HttpStatusCode.Created);
        Assert.Null(JsonNode.Parse(await created.Content.ReadAsStringAsync())!["spec"]?["serviceAccountName"]);
    }

    [Theory]
    [InlineData("Foo", "--enable-admission-plugins: plugin \"Foo\" is unknown")]
    [InlineData("PodSecurity", "--enable-admission-plugins: plugin \"PodSecurity\" is also in --disable-admission-plugins")]
    public void Bad_plugin_names_are_refused_naming_the_flag(string enable, string message)
    {
        var options = new ApiServerOptions { EnableAdmissionPlugins = [enable], DisableAdmissionPlugins = ["PodSecurity"] };
        Assert.Equal(message, Assert.Throws<ArgumentException>(options.Validate).Message);
    }

    private static async Task<string?> MessageOf(HttpResponseMessage response) =>
        (string?)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["message"];

    /// <summary>
    /// A namespace with its <c>default</c> ServiceAccount, which this server (no controllers) does not make itself: made
    /// here when the server serves the kind, else the ServiceAccount plugin has nothing to look up.
    /// </summary>
    private static async Task NamespaceAsync(InProcessServer server, string name, string labels)
    {
        await Send(server, HttpMethod.Post, "/api/v1/namespaces", Namespace(name, labels), HttpStatusCode.Created);
        if (Navarch.Api.Resources.ResourceCatalog.FindByKind("v1", "ServiceAccount") is not null)
            await Send(server, HttpMethod.Post, $"/api/v1/namespaces/{name}/serviceaccounts", """{"apiVersion":"v1","kind":"ServiceAccount","metadata":{"name":"default"}}""", HttpStatusCode.Created);
    }

    private static string Namespace(string name, string labels) =>
        $$$"""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"{{{name}}}","labels":{{{labels}}}}}""";

    private static async Task<HttpResponseMessage> Send(InProcessServer server, HttpMethod method, string path, string? body, HttpStatusCode expected, string contentType = "application/json")
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null) request.Content = new StringContent(body, Encoding.UTF8, contentType);
        var response = await server.Http.SendAsync(request);
        if (response.StatusCode != expected)
            Assert.Fail($"{method} {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return response;
    }
}
