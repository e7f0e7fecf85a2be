using System.Diagnostics;
using k8s;
using k8s.Models;
using Navarch.Agent.Runtime;
using Navarch.Cri;
using Navarch.Testing;
using Xunit.Abstractions;

namespace Navarch.Agent.Tests.Pods;

/// <summary>
/// A configMap volume against a real server and an in-process agent (fake runtime, real files): the pod waits in
/// ContainerCreating with upstream's FailedMount event while the ConfigMap is missing, starts once it exists, an
/// edit reaches the file in place within the agent's (shortened) sync period, and its deletion leaves the files.
/// </summary>
[Trait("Category", "Integration")]
public sealed class ProjectedVolumesIntegrationTests(AgentServerFixture fixture, ITestOutputHelper output) : IClassFixture<AgentServerFixture>
{
    private static readonly TimeSpan SyncFrequency = TimeSpan.FromMilliseconds(500);

    [Fact]
    public async Task A_missing_configMap_holds_the_pod_and_its_edits_reach_the_file_in_place()
    {
        var client = fixture.Client;
        await using var agent = TestAgent.Start(fixture.Server.Url, "vol-node", new FakeRuntime(), SyncFrequency);
        var pod = await client.CoreV1.CreateNamespacedPodAsync(new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "vol-1" },
            Spec = new V1PodSpec
            {
                NodeName = "vol-node",
                Volumes = [new V1Volume { Name = "cfg", ConfigMap = new V1ConfigMapVolumeSource { Name = "vol-cfg" } }],
                Containers = [new V1Container { Name = "c", Image = "nginx:1.25", VolumeMounts = [new V1VolumeMount { Name = "cfg", MountPath = "/etc/cfg" }] }],
            },
        }, "default");

        IList<Corev1Event> events = [];
        V1Pod? now = null;
        await Poll.UntilAsync("a FailedMount event and the container waiting in ContainerCreating", async () =>
        {
            events = (await client.CoreV1.ListNamespacedEventAsync("default", fieldSelector: "involvedObject.name=vol-1")).Items;
            now = await client.CoreV1.ReadNamespacedPodAsync("vol-1", "default");
            return events.Any(e => e.Reason == "FailedMount") && now.Status?.ContainerStatuses?.SingleOrDefault()?.State?.Waiting?.Reason == "ContainerCreating";
        }, lastSeen: () => string.Join("\n", events.Select(e => $"{e.Reason}: {e.Message}")) + "\n" + KubernetesJson.Serialize(now?.Status));
        Assert.Contains(events, e => e.Type == "Warning" && e.Message == "MountVolume.SetUp failed for volume \"cfg\" : configmap \"vol-cfg\" not found");
        Assert.Equal("Pending", now!.Status.Phase);

        await client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "vol-cfg" }, Data = new Dictionary<string, string> { ["color"] = "blue" } }, "default");
        await Poll.UntilAsync("pod vol-1 Running once its ConfigMap exists", async () =>
        {
            now = await client.CoreV1.ReadNamespacedPodAsync("vol-1", "default");
            return now.Status?.Phase == "Running";
        }, lastSeen: () => KubernetesJson.Serialize(now?.Status));
        var file = Path.Combine(agent.DataDir, "pod-volumes", pod.Metadata.Uid, "kubernetes.io~configmap", "cfg", "color");
        Assert.Equal("blue", File.ReadAllText(file));

        var edited = Stopwatch.StartNew();
        await client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("""{"data":{"color":"green"}}""", V1Patch.PatchType.MergePatch), "vol-cfg", "default");
        await Poll.UntilAsync("the edit reaches the file", () => Task.FromResult(File.ReadAllText(file) == "green"), TimeSpan.FromSeconds(10), () => File.ReadAllText(file));
        output.WriteLine($"ConfigMap edit → file updated: {edited.ElapsedMilliseconds} ms (sync frequency {SyncFrequency.TotalMilliseconds} ms)");

        // Deleted under a running pod: the refresh fails (FailedMount again), the pod keeps running on the files it has.
        var failures = events.Where(e => e.Reason == "FailedMount").Sum(e => e.Count ?? 1);
        await client.CoreV1.DeleteNamespacedConfigMapAsync("vol-cfg", "default");
        await Poll.UntilAsync("a refresh after the ConfigMap's deletion reported as FailedMount", async () =>
        {
            events = (await client.CoreV1.ListNamespacedEventAsync("default", fieldSelector: "involvedObject.name=vol-1")).Items;
            return events.Where(e => e.Reason == "FailedMount").Sum(e => e.Count ?? 1) > failures;
        }, TimeSpan.FromSeconds(10), () => string.Join("\n", events.Select(e => $"{e.Reason} x{e.Count}: {e.Message}")));
        Assert.Equal("green", File.ReadAllText(file));
        Assert.Equal("Running", (await client.CoreV1.ReadNamespacedPodAsync("vol-1", "default")).Status.Phase);
    }
}
