using System.Collections.Concurrent;
using System.Diagnostics;
using k8s;
using k8s.Models;
using Navarch.Integration.Tests.Fixtures;
using Navarch.Testing;
using Xunit.Abstractions;

namespace Navarch.Integration.Tests.Durability;

/// <summary>
/// Rounds of kill -9 of the API server (and, on etcd, of one member of three) amid a stream of concurrent creates and updates,
/// on each store. After every restart: each write that got a 2xx is readable with its data, resourceVersions never go back,
/// a client watch resumed from its last resourceVersion sees every later change once (or 410 and a re-list), and no cluster
/// IP or node port is held twice. CI runs <see cref="DefaultRounds"/> rounds per store; NAVARCH_DURABILITY_ROUNDS=20 runs the
/// issue's twenty.
/// </summary>
[Trait("Category", "Integration")]
public sealed class KillRoundsTests(ITestOutputHelper output)
{
    private const int DefaultRounds = 2; // about 25 s per store here; the issue's 20 take about 4 min per store
    private const int Writers = 6;
    private static readonly TimeSpan StreamTime = TimeSpan.FromSeconds(0.7);

    private static int Rounds => int.TryParse(Environment.GetEnvironmentVariable("NAVARCH_DURABILITY_ROUNDS"), out var n) && n > 0 ? n : DefaultRounds;

    /// <param name="Seq">The writer's own count: a later write of one writer must get a greater resourceVersion.</param>
    /// <param name="Gen">For a pod, the label "gen" this write set (0 for the create).</param>
    private sealed record Ack(int Writer, int Seq, string Kind, string Name, string Uid, long Rv, int Gen);

    [Theory]
    [InlineData("sqlite")]
    [InlineData("etcd")]
    public async Task Acknowledged_writes_survive_rounds_of_kill_9(string backend)
    {
        await using var etcd = backend == "etcd" ? await EtcdCluster.StartAsync(members: 3) : null;
        string[] storeArgs = etcd is null ? [] : ["--storage-backend", "etcd", "--etcd-servers", etcd.ServersFlag];
        await using var server = await ServerProcess.StartAsync([.. ServerFixture.ApiServerOnly, .. storeArgs,
            "--service-cluster-ip-range", "10.88.0.0/16", "--service-node-port-range", "20000-32767"]);
        using var client = new Kubernetes(new KubernetesClientConfiguration { Host = server.Url });
        const string ns = "durable";
        await TestNamespaces.CreateAsync(client, ns);
        await using var watch = new ResumingPodWatch(server.Url, ns);

        var acks = new ConcurrentBag<Ack>();
        var failures = 0;
        using var stop = new CancellationTokenSource();
        var writers = Enumerable.Range(0, Writers).Select(w => Task.Run(() => WriteAsync(client, ns, w, acks, () => Interlocked.Increment(ref failures), stop.Token))).ToList();
        var clock = Stopwatch.StartNew();
        try
        {
            for (var round = 1; round <= Rounds; round++)
            {
                await StreamAsync(acks, 40, $"round {round}: writes before the kill");
                var member = (round - 1) % 3;
                if (etcd is not null)
                {
                    await etcd.KillAsync(member);
                    await StreamAsync(acks, 20, $"round {round}: writes with etcd member {member} down");
                }
                await server.KillAsync();
                var acked = acks.Count;
                if (etcd is not null) await etcd.RestartAsync(member);
                await server.RestartAsync();
                output.WriteLine($"round {round}: killed after {acked} acknowledged writes; ready again after {server.ReadyAfter?.TotalMilliseconds:0} ms");
            }
            await StreamAsync(acks, 40, "writes after the last restart");
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(writers);
        }
        output.WriteLine($"{backend}: {Rounds} rounds in {clock.Elapsed.TotalSeconds:0.0} s; {acks.Count} writes acknowledged, {failures} failed while the server was down");

        var pods = (await client.CoreV1.ListNamespacedPodAsync(ns)).Items.ToDictionary(p => p.Metadata.Name);
        var services = (await client.CoreV1.ListNamespacedServiceAsync(ns)).Items.ToDictionary(s => s.Metadata.Name);
        AssertEveryAckReadable(acks, pods, services);
        AssertResourceVersionsNeverGoBack(acks);
        var next = await client.CoreV1.CreateNamespacedPodAsync(Objects.Pod("after-everything"), ns);
        Assert.True(long.Parse(next.Metadata.ResourceVersion) > acks.Max(a => a.Rv), $"a new write got rv {next.Metadata.ResourceVersion}, below one acknowledged before");
        await AssertWatchSawEveryChangeOnceAsync(client, ns, watch);
        AssertNoSharedAllocations((await client.CoreV1.ListServiceForAllNamespacesAsync()).Items);
        Assert.True(services.Count >= 10, $"only {services.Count} services were created; the allocation check needs more");
    }

    /// <summary>Each writer creates pods (every sixth write a NodePort service) and relabels the pod it created before.</summary>
    private static async Task WriteAsync(Kubernetes client, string ns, int w, ConcurrentBag<Ack> acks, Action failed, CancellationToken stop)
    {
        var seq = 0;
        string? previous = null;
        for (var n = 0; !stop.IsCancellationRequested; n++)
        {
            try
            {
                if (n % 6 == 5)
                {
                    var svc = await client.CoreV1.CreateNamespacedServiceAsync(Objects.Service($"svc-{w}-{n}", "NodePort"), ns);
                    acks.Add(new Ack(w, seq++, "Service", svc.Metadata.Name, svc.Metadata.Uid, long.Parse(svc.Metadata.ResourceVersion), 0));
                    continue;
                }
                if (previous is not null && n % 2 == 1)
                {
                    var patch = new V1Patch("{\"metadata\":{\"labels\":{\"gen\":\"" + n + "\"}}}", V1Patch.PatchType.MergePatch);
                    var updated = await client.CoreV1.PatchNamespacedPodAsync(patch, previous, ns);
                    acks.Add(new Ack(w, seq++, "Pod", previous, updated.Metadata.Uid, long.Parse(updated.Metadata.ResourceVersion), n));
                    continue;
                }
                var pod = await client.CoreV1.CreateNamespacedPodAsync(Objects.Pod($"pod-{w}-{n}"), ns);
                acks.Add(new Ack(w, seq++, "Pod", pod.Metadata.Name, pod.Metadata.Uid, long.Parse(pod.Metadata.ResourceVersion), 0));
                previous = pod.Metadata.Name;
            }
            catch (Exception e) when (e is HttpRequestException or IOException or k8s.Autorest.HttpOperationException or TaskCanceledException)
            {
                // The server is down or died under the request: that write was never acknowledged (it may still have applied).
                failed();
                try { await Task.Delay(20, stop); } catch (OperationCanceledException) { }
            }
        }
    }

    private static async Task StreamAsync(ConcurrentBag<Ack> acks, int more, string phase)
    {
        var target = acks.Count + more;
        var clock = Stopwatch.StartNew();
        await Poll.UntilAsync(phase, () => acks.Count >= target && clock.Elapsed > StreamTime, TimeSpan.FromSeconds(30), () => $"{acks.Count} of {target} acknowledged");
    }

    private static void AssertEveryAckReadable(IEnumerable<Ack> acks, Dictionary<string, V1Pod> pods, Dictionary<string, V1Service> services)
    {
        foreach (var ack in acks.Where(a => a.Kind == "Service"))
        {
            Assert.True(services.TryGetValue(ack.Name, out var svc), $"acknowledged service {ack.Name} (rv {ack.Rv}) is lost");
            Assert.Equal((ack.Uid, ack.Rv.ToString()), (svc.Metadata.Uid, svc.Metadata.ResourceVersion));
        }
        foreach (var writes in acks.Where(a => a.Kind == "Pod").GroupBy(a => a.Name))
        {
            Assert.True(pods.TryGetValue(writes.Key, out var pod), $"acknowledged pod {writes.Key} is lost");
            var newest = writes.MaxBy(a => a.Rv)!;
            Assert.Equal(newest.Uid, pod.Metadata.Uid);
            Assert.True(long.Parse(pod.Metadata.ResourceVersion) >= newest.Rv, $"pod {pod.Metadata.Name} is at rv {pod.Metadata.ResourceVersion}, below its acknowledged rv {newest.Rv}");
            var gen = pod.Metadata.Labels?.TryGetValue("gen", out var g) == true ? int.Parse(g) : 0;
            Assert.True(gen >= newest.Gen, $"pod {pod.Metadata.Name} has gen {gen}, but gen {newest.Gen} was acknowledged");
        }
    }

    private static void AssertResourceVersionsNeverGoBack(IEnumerable<Ack> acks)
    {
        var all = acks.ToList();
        Assert.Equal(all.Count, all.Select(a => a.Rv).Distinct().Count());
        foreach (var writer in all.GroupBy(a => a.Writer))
        {
            var ordered = writer.OrderBy(a => a.Seq).Select(a => a.Rv).ToList();
            Assert.True(ordered.SequenceEqual(ordered.Order()), $"writer {writer.Key} got a resourceVersion lower than one of its earlier writes");
        }
    }

    private static async Task AssertWatchSawEveryChangeOnceAsync(Kubernetes client, string ns, ResumingPodWatch watch)
    {
        var truth = (await client.CoreV1.ListNamespacedPodAsync(ns)).Items.ToDictionary(p => p.Metadata.Name, p => long.Parse(p.Metadata.ResourceVersion));
        await Poll.UntilAsync("the resumed watch's view to reach the final list", () => watch.View().OrderBy(p => p.Key).SequenceEqual(truth.OrderBy(p => p.Key)),
            TimeSpan.FromSeconds(20), () => $"{watch.View().Count} pods in view, {truth.Count} listed");
        Assert.True(watch.Anomalies.Count == 0, "the watch saw changes twice or out of order:\n" + string.Join("\n", watch.Anomalies.Take(10)));
        Assert.True(watch.Events > 0, "the watch saw no events");
    }

    private static void AssertNoSharedAllocations(IList<V1Service> all)
    {
        var sharedIps = all.Where(s => s.Spec.ClusterIP is { } ip && ip != "None").GroupBy(s => s.Spec.ClusterIP).Where(g => g.Count() > 1).ToList();
        Assert.True(sharedIps.Count == 0, "services share cluster IPs: " + string.Join("; ", sharedIps.Select(g => $"{g.Key}: {string.Join(",", g.Select(s => s.Metadata.Name))}")));
        var sharedPorts = all.SelectMany(s => (s.Spec.Ports ?? []).Where(p => p.NodePort is > 0).Select(p => (Port: p.NodePort!.Value, s.Metadata.Name)))
            .GroupBy(p => p.Port).Where(g => g.Count() > 1).ToList();
        Assert.True(sharedPorts.Count == 0, "services share node ports: " + string.Join("; ", sharedPorts.Select(g => $"{g.Key}: {string.Join(",", g.Select(p => p.Name))}")));
    }
}
