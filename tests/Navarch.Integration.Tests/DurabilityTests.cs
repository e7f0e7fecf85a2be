using System.Collections.Concurrent;
using k8s;
using k8s.Models;
using Navarch.Integration.Tests.Fixtures;
using Navarch.Testing;
using Xunit.Abstractions;

namespace Navarch.Integration.Tests;

/// <summary>
/// kill -9 during a stream of concurrent creates, then a restart on the same data directory: nothing
/// acknowledged is lost, resourceVersions never repeat or go back, and no two services share an IP or node port.
/// </summary>
[Trait("Category", "Integration")]
public sealed class DurabilityTests(ITestOutputHelper output)
{
    private const int Creators = 8;
    private static readonly TimeSpan StreamTime = TimeSpan.FromSeconds(1.5);

    /// <param name="Rv">The resourceVersion the server acknowledged the create with.</param>
    private sealed record Ack(string Kind, string Name, string Uid, long Rv);

    [Fact]
    public async Task Acknowledged_creates_survive_kill_9_with_monotonic_resourceVersions_and_unique_allocations()
    {
        await using var server = await ServerProcess.StartAsync([.. ServerFixture.ApiServerOnly, "--service-cluster-ip-range", "10.88.0.0/16"]);
        using var client = new Kubernetes(new KubernetesClientConfiguration { Host = server.Url });
        var ns = await TestNamespaces.CreateAsync(client, "durable");

        var acks = new ConcurrentBag<Ack>();
        var failures = 0;
        using var stop = new CancellationTokenSource();
        var creators = Enumerable.Range(0, Creators).Select(c => Task.Run(async () =>
        {
            for (var n = 0; !stop.IsCancellationRequested; n++)
            {
                try
                {
                    // Every third create is a NodePort service, so allocations race the kill too.
                    if (n % 3 == 2)
                    {
                        var svc = await client.CoreV1.CreateNamespacedServiceAsync(Objects.Service($"svc-{c}-{n}", "NodePort"), ns);
                        acks.Add(new Ack("Service", svc.Metadata.Name, svc.Metadata.Uid, long.Parse(svc.Metadata.ResourceVersion)));
                    }
                    else
                    {
                        var pod = await client.CoreV1.CreateNamespacedPodAsync(Objects.Pod($"pod-{c}-{n}"), ns);
                        acks.Add(new Ack("Pod", pod.Metadata.Name, pod.Metadata.Uid, long.Parse(pod.Metadata.ResourceVersion)));
                    }
                }
                catch (Exception e) when (e is HttpRequestException or IOException or k8s.Autorest.HttpOperationException or TaskCanceledException)
                {
                    // The server is down (or just died under the request): such a create was never acknowledged.
                    Interlocked.Increment(ref failures);
                    try { await Task.Delay(20, stop.Token); } catch (OperationCanceledException) { }
                }
            }
        })).ToList();

        try
        {
            // About 1.5 s of creates on each side of the kill, and enough of them to matter.
            var phase = System.Diagnostics.Stopwatch.StartNew();
            await Poll.UntilAsync("creates acknowledged before the kill", () => acks.Count >= 150 && phase.Elapsed > StreamTime, TimeSpan.FromSeconds(30));
            await server.KillAsync();
            var beforeRestart = acks.Count;
            await server.RestartAsync();
            output.WriteLine($"killed after {beforeRestart} acknowledged creates; restarted, ready after {server.ReadyAfter?.TotalMilliseconds:0} ms");
            phase.Restart();
            await Poll.UntilAsync("creates acknowledged after the restart", () => acks.Count >= beforeRestart + 150 && phase.Elapsed > StreamTime, TimeSpan.FromSeconds(30));
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(creators);
        }
        output.WriteLine($"{acks.Count} creates acknowledged, {failures} failed while the server was down");

        var pods = (await client.CoreV1.ListNamespacedPodAsync(ns)).Items.ToDictionary(p => p.Metadata.Name);
        var services = (await client.CoreV1.ListNamespacedServiceAsync(ns)).Items.ToDictionary(s => s.Metadata.Name);
        foreach (var ack in acks)
        {
            var stored = ack.Kind == "Pod" ? (IKubernetesObject<V1ObjectMeta>?)pods.GetValueOrDefault(ack.Name) : services.GetValueOrDefault(ack.Name);
            Assert.True(stored is not null, $"acknowledged {ack.Kind} {ack.Name} (rv {ack.Rv}) is lost");
            Assert.Equal((ack.Uid, ack.Rv.ToString()), (stored!.Metadata.Uid, stored.Metadata.ResourceVersion));
        }

        // A revision handed out twice would mean the restarted server went back in history.
        var rvs = acks.Select(a => a.Rv).ToList();
        Assert.Equal(rvs.Count, rvs.Distinct().Count());
        var next = await client.CoreV1.CreateNamespacedPodAsync(Objects.Pod("after-everything"), ns);
        Assert.True(long.Parse(next.Metadata.ResourceVersion) > rvs.Max(), $"new write got rv {next.Metadata.ResourceVersion}, but {rvs.Max()} was seen before");

        var all = (await client.CoreV1.ListServiceForAllNamespacesAsync()).Items;
        var sharedIps = all.Where(s => s.Spec.ClusterIP is { } ip && ip != "None").GroupBy(s => s.Spec.ClusterIP).Where(g => g.Count() > 1).ToList();
        Assert.True(sharedIps.Count == 0, "services share cluster IPs: " + string.Join("; ", sharedIps.Select(g => $"{g.Key}: {string.Join(",", g.Select(s => s.Metadata.Name))}")));
        var sharedPorts = all.SelectMany(s => (s.Spec.Ports ?? []).Where(p => p.NodePort is > 0).Select(p => (Port: p.NodePort!.Value, s.Metadata.Name)))
            .GroupBy(p => p.Port).Where(g => g.Count() > 1).ToList();
        Assert.True(sharedPorts.Count == 0, "services share node ports: " + string.Join("; ", sharedPorts.Select(g => $"{g.Key}: {string.Join(",", g.Select(p => p.Name))}")));
        Assert.True(services.Count >= 20, $"only {services.Count} services were created; the allocation check needs more");
    }
}
