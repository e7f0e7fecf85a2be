using System.Text;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Navarch.Integration.Tests.Fixtures;
using Navarch.Testing;

namespace Navarch.Integration.Tests;

/// <summary>
/// Wire details the official clients depend on, byte for byte as upstream writes them: the two time types,
/// a Service's empty status, and Status bodies.
/// </summary>
[Trait("Category", "Integration")]
public sealed class UpstreamWireTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private static readonly DateTime WholeSecond = new(2026, 12, 7, 19, 7, 21, DateTimeKind.Utc);

    private Kubernetes Client => fixture.Client;

    public static TheoryData<string> KubectlVersions => new()
    {
        "/usr/lib/google-cloud-sdk/bin/kubectl.1.27",
        "/usr/lib/google-cloud-sdk/bin/kubectl.1.32",
        "/usr/lib/google-cloud-sdk/bin/kubectl.1.33",
    };

    /// <summary>
    /// The C# client writes a time on a whole second as <c>…:21Z</c>; kubectl parses a Lease's renewTime with the
    /// fixed layout <c>…:05.000000Z07:00</c> and printed "Failed to get lease" before the server wrote six digits.
    /// </summary>
    [Theory]
    [MemberData(nameof(KubectlVersions))]
    public async Task Kubectl_describe_node_reads_a_Lease_renewed_on_a_whole_second(string binary)
    {
        var prefix = $"wire-{Path.GetExtension(binary).TrimStart('.').Replace(".", "")}-";
        // A heartbeat slower than the test: the node's own renewal never overwrites the one under test.
        await using var nodes = await FakeNodes.StartAsync(Client, new FakeNodeOptions { Count = 1, NamePrefix = prefix, HeartbeatInterval = TimeSpan.FromHours(1), RunKubelet = false });
        var node = nodes.Names[0];
        var lease = await Client.CoordinationV1.ReadNamespacedLeaseAsync(node, "kube-node-lease");
        lease.Spec.RenewTime = WholeSecond;
        lease.Spec.AcquireTime = WholeSecond;
        await Client.CoordinationV1.ReplaceNamespacedLeaseAsync(lease, node, "kube-node-lease");

        var raw = JsonNode.Parse(await fixture.Http.GetStringAsync($"/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/{node}"))!;
        Assert.Equal("2026-12-07T19:07:21.000000Z", (string?)raw["spec"]!["renewTime"]);
        Assert.Equal("2026-12-07T19:07:21.000000Z", (string?)raw["spec"]!["acquireTime"]);
        Assert.Equal(WholeSecond, (await Client.CoordinationV1.ReadNamespacedLeaseAsync(node, "kube-node-lease")).Spec.RenewTime);

        using var kubectl = fixture.Kubectl(binary);
        var describe = await kubectl.RunAsync("describe", "node", node);
        Assert.True(describe.ExitCode == 0 && describe.Stderr.Length == 0, describe.ToString());
        var errorLines = describe.Stdout.Split('\n').Where(l => l.Contains("fail", StringComparison.OrdinalIgnoreCase) || l.Contains("error", StringComparison.OrdinalIgnoreCase)).ToList();
        Assert.True(errorLines.Count == 0, $"error lines in describe node:\n{string.Join('\n', errorLines)}\n{describe}");
        Assert.Contains("RenewTime:       Mon, 07 Dec 2026 19:07:21 +0000", describe.Stdout);
    }

    [Fact]
    public async Task Time_fields_are_written_in_whole_seconds_and_Event_times_with_six_digits()
    {
        var ns = await fixture.NewNamespaceAsync();
        var pod = Objects.Pod("times");
        pod.Status = new V1PodStatus { Conditions = [new V1PodCondition { Type = "Ready", Status = "False", LastTransitionTime = WholeSecond.AddTicks(1_234_567) }] };
        var created = await Client.CoreV1.CreateNamespacedPodAsync(pod, ns);
        var written = await Client.CoreV1.ReplaceNamespacedPodStatusAsync(new V1Pod { Metadata = created.Metadata, Spec = created.Spec, Status = pod.Status }, "times", ns);
        Assert.Equal(WholeSecond, written.Status.Conditions.Single().LastTransitionTime);

        await Client.CoreV1.CreateNamespacedEventAsync(new Corev1Event
        {
            Metadata = new V1ObjectMeta { Name = "e" },
            InvolvedObject = new V1ObjectReference { Kind = "Pod", Name = "times", NamespaceProperty = ns },
            EventTime = WholeSecond, ReportingComponent = "test", ReportingInstance = "test", Action = "Check", Reason = "Checked", Type = "Normal",
            Series = new Corev1EventSeries { Count = 2, LastObservedTime = WholeSecond.AddSeconds(1) },
        }, ns);

        var podJson = JsonNode.Parse(await fixture.Http.GetStringAsync($"/api/v1/namespaces/{ns}/pods/times"))!;
        Assert.Equal("2026-12-07T19:07:21Z", (string?)podJson["status"]!["conditions"]![0]!["lastTransitionTime"]);
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", (string?)podJson["metadata"]!["creationTimestamp"]);
        var events = JsonNode.Parse(await fixture.Http.GetStringAsync($"/api/v1/namespaces/{ns}/events"))!["items"]!;
        Assert.Equal("2026-12-07T19:07:21.000000Z", (string?)events[0]!["eventTime"]);
        Assert.Equal("2026-12-07T19:07:22.000000Z", (string?)events[0]!["series"]!["lastObservedTime"]);
    }

    [Fact]
    public async Task A_created_Service_has_an_empty_loadBalancer_status()
    {
        const string EmptyStatus = "\"status\":{\"loadBalancer\":{}}";
        var ns = await fixture.NewNamespaceAsync();
        using var create = await fixture.Http.PostAsync($"/api/v1/namespaces/{ns}/services", new StringContent(
            """{"apiVersion":"v1","kind":"Service","metadata":{"name":"web"},"spec":{"ports":[{"port":80}]}}""", Encoding.UTF8, "application/json"));
        Assert.Contains(EmptyStatus, await create.Content.ReadAsStringAsync());
        Assert.Contains(EmptyStatus, await fixture.Http.GetStringAsync($"/api/v1/namespaces/{ns}/services/web"));
        Assert.Contains(EmptyStatus, await fixture.Http.GetStringAsync($"/api/v1/namespaces/{ns}/services"));

        var viaClient = await Client.CoreV1.CreateNamespacedServiceAsync(Objects.Service("api"), ns);
        Assert.NotNull(viaClient.Status?.LoadBalancer);
        viaClient.Metadata.Labels = new Dictionary<string, string> { ["changed"] = "yes" };
        var replaced = await Client.CoreV1.ReplaceNamespacedServiceAsync(viaClient, "api", ns);
        Assert.NotNull(replaced.Status?.LoadBalancer);
        var status = await Client.CoreV1.ReplaceNamespacedServiceStatusAsync(new V1Service { Metadata = replaced.Metadata, Spec = replaced.Spec }, "api", ns);
        Assert.NotNull(status.Status?.LoadBalancer);
    }

    /// <summary>Upstream's bytes for a missing pod (as kubectl-wire.md recorded them) and Go's trailing newline.</summary>
    [Fact]
    public async Task A_404_Status_is_upstreams_bytes()
    {
        var ns = await fixture.NewNamespaceAsync();
        using var response = await fixture.Http.GetAsync($"/api/v1/namespaces/{ns}/pods/nginx-xyz");
        Assert.Equal(404, (int)response.StatusCode);
        Assert.Equal(
            """{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"pods \"nginx-xyz\" not found","reason":"NotFound","details":{"name":"nginx-xyz","kind":"pods"},"code":404}""" + "\n",
            await response.Content.ReadAsStringAsync());
    }

    /// <summary>The shape of upstream's 422: details name, group, kind, then causes of reason, message, field.</summary>
    [Fact]
    public async Task A_422_Status_with_causes_is_upstreams_bytes()
    {
        var ns = await fixture.NewNamespaceAsync();
        using var pod = await fixture.Http.PostAsync($"/api/v1/namespaces/{ns}/pods", new StringContent(
            """{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":[]}}""", Encoding.UTF8, "application/json"));
        Assert.Equal(422, (int)pod.StatusCode);
        Assert.Equal(
            """{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Pod \"p\" is invalid: spec.containers: Required value","reason":"Invalid","details":{"name":"p","kind":"Pod","causes":[{"reason":"FieldValueRequired","message":"Required value","field":"spec.containers"}]},"code":422}""" + "\n",
            await pod.Content.ReadAsStringAsync());

        // A group of its own sits between name and kind.
        var rc = await Client.CoreV1.CreateNamespacedReplicationControllerAsync(Objects.Rc("rc", Objects.Labels("app=rc"), Objects.Labels("app=rc")), ns);
        using var scale = await fixture.Http.PutAsync($"/api/v1/namespaces/{ns}/replicationcontrollers/rc/scale", new StringContent(
            $$$"""{"apiVersion":"autoscaling/v1","kind":"Scale","metadata":{"name":"rc","namespace":"{{{ns}}}","resourceVersion":"{{{rc.Metadata.ResourceVersion}}}"},"spec":{"replicas":-1}}""", Encoding.UTF8, "application/json"));
        var body = await scale.Content.ReadAsStringAsync();
        Assert.Equal(422, (int)scale.StatusCode);
        Assert.EndsWith(""","reason":"Invalid","details":{"name":"rc","group":"autoscaling","kind":"Scale","causes":[{"reason":"FieldValueInvalid","message":"Invalid value: -1: must be greater than or equal to 0","field":"spec.replicas"}]},"code":422}""" + "\n", body);
    }
}
