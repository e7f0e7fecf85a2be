using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Navarch.Integration.Tests.Fixtures;

namespace Navarch.Integration.Tests;

/// <summary>
/// Write semantics through the official C# client: optimistic concurrency under real contention, graceful pod
/// deletion, finalizers, the status subresource kept apart from spec, and server-side apply with conflicts.
/// </summary>
[Trait("Category", "Integration")]
public sealed class WriteSemanticsTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private Kubernetes Client => fixture.Client;

    [Fact]
    public async Task Of_two_PUTs_from_the_same_resourceVersion_exactly_one_wins()
    {
        var ns = await fixture.NewNamespaceAsync("race-");
        await Client.CoreV1.CreateNamespacedPodAsync(Objects.Pod("contended"), ns);
        for (var round = 0; round < 5; round++)
        {
            var a = await Client.CoreV1.ReadNamespacedPodAsync("contended", ns);
            var b = await Client.CoreV1.ReadNamespacedPodAsync("contended", ns);
            a.Metadata.Labels = new Dictionary<string, string> { ["round"] = $"{round}", ["by"] = "a" };
            b.Metadata.Labels = new Dictionary<string, string> { ["round"] = $"{round}", ["by"] = "b" };
            var results = await Task.WhenAll(TryReplace(a, ns), TryReplace(b, ns));
            Assert.Equal([HttpStatusCode.OK, HttpStatusCode.Conflict], results.Select(r => r.Code).Order());
            var winner = results.Single(r => r.Code == HttpStatusCode.OK).Pod!;
            var stored = await Client.CoreV1.ReadNamespacedPodAsync("contended", ns);
            Assert.Equal(winner.Metadata.Labels["by"], stored.Metadata.Labels["by"]);
            Assert.Equal(winner.Metadata.ResourceVersion, stored.Metadata.ResourceVersion);
        }
    }

    private async Task<(HttpStatusCode Code, V1Pod? Pod)> TryReplace(V1Pod pod, string ns)
    {
        try
        {
            return (HttpStatusCode.OK, await Client.CoreV1.ReplaceNamespacedPodAsync(pod, pod.Metadata.Name, ns));
        }
        catch (HttpOperationException e)
        {
            return (e.Response.StatusCode, null);
        }
    }

    [Fact]
    public async Task A_pod_on_a_node_is_deleted_gracefully_and_an_unscheduled_one_at_once()
    {
        var ns = await fixture.NewNamespaceAsync("grace-");
        await Client.CoreV1.CreateNamespacedPodAsync(Objects.Pod("bound", nodeName: "node-1"), ns);
        await Client.CoreV1.CreateNamespacedPodAsync(Objects.Pod("unbound"), ns);

        var terminating = await Client.CoreV1.DeleteNamespacedPodAsync("bound", ns);
        Assert.NotNull(terminating.Metadata.DeletionTimestamp);
        Assert.Equal(30, terminating.Metadata.DeletionGracePeriodSeconds);
        var stillThere = await Client.CoreV1.ReadNamespacedPodAsync("bound", ns);
        Assert.NotNull(stillThere.Metadata.DeletionTimestamp);
        // What the node agent does once the containers stopped: delete with grace period 0.
        await Client.CoreV1.DeleteNamespacedPodAsync("bound", ns, new V1DeleteOptions { GracePeriodSeconds = 0 });
        await ApiAssert.FailsAsync(404, () => Client.CoreV1.ReadNamespacedPodAsync("bound", ns));

        var gone = await Client.CoreV1.DeleteNamespacedPodAsync("unbound", ns);
        Assert.Equal("unbound", gone.Metadata.Name);
        await ApiAssert.FailsAsync(404, () => Client.CoreV1.ReadNamespacedPodAsync("unbound", ns));
    }

    [Fact]
    public async Task Finalizers_keep_an_object_until_the_last_one_is_removed()
    {
        var ns = await fixture.NewNamespaceAsync("final-");
        var svc = Objects.Service("held");
        svc.Metadata.Finalizers = ["example.com/one", "example.com/two"];
        await Client.CoreV1.CreateNamespacedServiceAsync(svc, ns);

        await Client.CoreV1.DeleteNamespacedServiceAsync("held", ns);
        var waiting = await Client.CoreV1.ReadNamespacedServiceAsync("held", ns);
        Assert.NotNull(waiting.Metadata.DeletionTimestamp);

        waiting.Metadata.Finalizers = ["example.com/two"];
        waiting = await Client.CoreV1.ReplaceNamespacedServiceAsync(waiting, "held", ns);
        Assert.Equal(["example.com/two"], (await Client.CoreV1.ReadNamespacedServiceAsync("held", ns)).Metadata.Finalizers);

        var patch = new V1Patch("""{"metadata":{"finalizers":null}}""", V1Patch.PatchType.MergePatch);
        await Client.CoreV1.PatchNamespacedServiceAsync(patch, "held", ns);
        await ApiAssert.FailsAsync(404, () => Client.CoreV1.ReadNamespacedServiceAsync("held", ns));
    }

    [Fact]
    public async Task The_status_subresource_and_the_main_resource_each_change_only_their_part()
    {
        var ns = await fixture.NewNamespaceAsync("status-");
        var created = await Client.CoreV1.CreateNamespacedPodAsync(Objects.Pod("split"), ns);
        var phaseAtCreate = created.Status?.Phase;
        Assert.NotEqual("Running", phaseAtCreate);

        // PUT of the pod: the label changes, the status does not.
        created.Metadata.Labels = new Dictionary<string, string> { ["via"] = "main" };
        created.Status = new V1PodStatus { Phase = "Running", PodIP = "10.244.0.9" };
        var main = await Client.CoreV1.ReplaceNamespacedPodAsync(created, "split", ns);
        Assert.Equal("main", main.Metadata.Labels["via"]);
        Assert.Equal(phaseAtCreate, main.Status?.Phase);
        Assert.Null(main.Status?.PodIP);

        // PUT of pod/status: the status changes, the label does not.
        main.Metadata.Labels = new Dictionary<string, string> { ["via"] = "status" };
        main.Status = new V1PodStatus { Phase = "Running", PodIP = "10.244.0.9" };
        var status = await Client.CoreV1.ReplaceNamespacedPodStatusAsync(main, "split", ns);
        Assert.Equal("Running", status.Status.Phase);
        Assert.Equal("10.244.0.9", status.Status.PodIP);
        Assert.Equal("main", status.Metadata.Labels["via"]);

        var stored = await Client.CoreV1.ReadNamespacedPodAsync("split", ns);
        Assert.Equal(("main", "Running"), (stored.Metadata.Labels["via"], stored.Status.Phase));
    }

    [Fact]
    public async Task Server_side_apply_creates_then_conflicts_with_another_manager_unless_forced()
    {
        var ns = await fixture.NewNamespaceAsync("ssa-");
        static V1Patch Apply(string app, string image) => new($$$"""
            {"apiVersion":"v1","kind":"Pod","metadata":{"name":"applied","labels":{"app":"{{{app}}}"}},
             "spec":{"containers":[{"name":"app","image":"{{{image}}}"}]}}
            """, V1Patch.PatchType.ApplyPatch);

        using (var created = await Client.CoreV1.PatchNamespacedPodWithHttpMessagesAsync(Apply("one", "nginx"), "applied", ns, fieldManager: "alice"))
        {
            Assert.Equal(HttpStatusCode.Created, created.Response.StatusCode);
            Assert.Equal("one", created.Body.Metadata.Labels["app"]);
            Assert.Contains(created.Body.Metadata.ManagedFields, m => m.Manager == "alice" && m.Operation == "Apply");
        }
        using (var again = await Client.CoreV1.PatchNamespacedPodWithHttpMessagesAsync(Apply("two", "nginx"), "applied", ns, fieldManager: "alice"))
        {
            Assert.Equal(HttpStatusCode.OK, again.Response.StatusCode);
            Assert.Equal("two", again.Body.Metadata.Labels["app"]);
        }

        var conflict = await ApiAssert.FailsAsync(409, () => Client.CoreV1.PatchNamespacedPodAsync(Apply("three", "nginx"), "applied", ns, fieldManager: "bob"));
        Assert.Equal("Conflict", conflict.Reason);
        Assert.Contains("conflict with \"alice\"", conflict.Message);
        Assert.Contains(conflict.Details.Causes, c => c.Reason == "FieldManagerConflict" && c.Field == ".metadata.labels.app");
        Assert.Equal("two", (await Client.CoreV1.ReadNamespacedPodAsync("applied", ns)).Metadata.Labels["app"]);

        var forced = await Client.CoreV1.PatchNamespacedPodAsync(Apply("three", "nginx"), "applied", ns, fieldManager: "bob", force: true);
        Assert.Equal("three", forced.Metadata.Labels["app"]);
        Assert.Contains(forced.Metadata.ManagedFields, m => m.Manager == "bob" && m.Operation == "Apply");

        // Agreeing with the current value is no conflict.
        var same = await Client.CoreV1.PatchNamespacedPodAsync(Apply("three", "nginx"), "applied", ns, fieldManager: "carol");
        Assert.Equal("three", same.Metadata.Labels["app"]);
    }
}
