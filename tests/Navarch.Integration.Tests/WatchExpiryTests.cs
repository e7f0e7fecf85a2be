using k8s;
using k8s.Autorest;
using k8s.Models;
using Navarch.Integration.Tests.Fixtures;
using Navarch.Testing;

namespace Navarch.Integration.Tests;

/// <summary>A server that forgets history fast: a 5-event watch cache and compaction every second down to 5 revisions.</summary>
public sealed class ShortHistoryServer : ServerFixture
{
    protected override string[] ServerArgs =>
    [
        .. base.ServerArgs, "--watch-cache-size", "5", "--compaction-interval-seconds", "1", "--compaction-keep-revisions", "5",
    ];
}

/// <summary>410 Gone: a watch from a resourceVersion the server no longer has, and a continue token that outlived compaction.</summary>
[Trait("Category", "Integration")]
public sealed class WatchExpiryTests(ShortHistoryServer fixture) : IClassFixture<ShortHistoryServer>
{
    private Kubernetes Client => fixture.Client;

    [Fact]
    public async Task A_watch_from_an_expired_resourceVersion_gets_an_ERROR_event_with_410_Expired()
    {
        var ns = await fixture.NewNamespaceAsync("expired-");
        var old = await Client.CoreV1.CreateNamespacedPodAsync(Objects.Pod("old"), ns);
        for (var i = 0; i < 12; i++) await Client.CoreV1.CreateNamespacedPodAsync(Objects.Pod($"newer-{i}"), ns);

        var errors = new List<Exception>();
        var events = new List<WatchEventType>();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var watch = Client.CoreV1.WatchListNamespacedPodAsync(ns, resourceVersion: old.Metadata.ResourceVersion, onError: errors.Add, cancellationToken: cts.Token);
        // The server ends the stream after the ERROR event, which ends the enumeration.
        await foreach (var (type, _) in watch) events.Add(type);

        Assert.Empty(events);
        var error = Assert.IsType<KubernetesException>(Assert.Single(errors));
        Assert.Equal(410, error.Status.Code);
        Assert.Equal("Expired", error.Status.Reason);
        Assert.Contains("too old resource version", error.Status.Message);

        // A watch from the current resourceVersion still works on the same server.
        var list = await Client.CoreV1.ListNamespacedPodAsync(ns);
        using var live = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var current = Client.CoreV1.WatchListNamespacedPodAsync(ns, resourceVersion: list.Metadata.ResourceVersion, onError: null, cancellationToken: live.Token);
        var creator = Task.Run(async () => await Client.CoreV1.CreateNamespacedPodAsync(Objects.Pod("after"), ns));
        await foreach (var (type, pod) in current)
        {
            Assert.Equal((WatchEventType.Added, "after"), (type, pod.Metadata.Name));
            break;
        }
        await creator;
    }

    [Fact]
    public async Task A_continue_token_older_than_the_compacted_revision_is_410()
    {
        var ns = await fixture.NewNamespaceAsync("compacted-");
        for (var i = 0; i < 4; i++) await Client.CoreV1.CreateNamespacedPodAsync(Objects.Pod($"pod-{i}"), ns);
        var page = await Client.CoreV1.ListNamespacedPodAsync(ns, limit: 2);
        Assert.NotNull(page.Metadata.ContinueProperty);

        var n = 0;
        HttpOperationException? gone = null;
        await Poll.UntilAsync("compaction passes the continue token's revision", async () =>
        {
            await Client.CoreV1.CreateNamespacedPodAsync(Objects.Pod($"filler-{n++}"), ns);
            try
            {
                await Client.CoreV1.ListNamespacedPodAsync(ns, limit: 2, continueParameter: page.Metadata.ContinueProperty);
                return false;
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.Gone)
            {
                gone = e;
                return true;
            }
        }, TimeSpan.FromSeconds(20));
        var status = KubernetesJson.Deserialize<V1Status>(gone!.Response.Content);
        Assert.Equal(("Expired", 410), (status.Reason, status.Code ?? 0));
        Assert.Contains("continue parameter is too old", status.Message);
    }
}
