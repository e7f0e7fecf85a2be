using System.Text.RegularExpressions;
using k8s;
using k8s.Models;
using Navarch.Integration.Tests.Fixtures;

namespace Navarch.Integration.Tests;

/// <summary>
/// Reads through the official C# client: watch resumed from a resourceVersion, pagination with limit and
/// continue, label and field selectors on lists, and generateName.
/// </summary>
[Trait("Category", "Integration")]
public sealed class ListWatchTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private static readonly TimeSpan WatchTimeout = TimeSpan.FromSeconds(20);
    private Kubernetes Client => fixture.Client;

    [Fact]
    public async Task Watch_resumed_from_a_resourceVersion_sees_exactly_the_later_changes_in_order()
    {
        var ns = await fixture.NewNamespaceAsync("resume-");
        var first = await Client.CoreV1.CreateNamespacedPodAsync(Objects.Pod("first"), ns);
        first.Metadata.Labels = new Dictionary<string, string> { ["changed"] = "yes" };
        var modified = await Client.CoreV1.ReplaceNamespacedPodAsync(first, "first", ns);
        var second = await Client.CoreV1.CreateNamespacedPodAsync(Objects.Pod("second"), ns);
        var deleted = await Client.CoreV1.DeleteNamespacedPodAsync("first", ns);

        var events = new List<(WatchEventType Type, string Name, string Rv)>();
        var errors = new List<Exception>();
        using var cts = new CancellationTokenSource(WatchTimeout);
        var watch = Client.CoreV1.WatchListNamespacedPodAsync(ns, resourceVersion: first.Metadata.ResourceVersion, onError: errors.Add, cancellationToken: cts.Token);
        await foreach (var (type, pod) in watch)
        {
            events.Add((type, pod.Metadata.Name, pod.Metadata.ResourceVersion));
            if (events.Count == 3) break;
        }
        Assert.Empty(errors);
        Assert.Equal(
            [(WatchEventType.Modified, "first", modified.Metadata.ResourceVersion), (WatchEventType.Added, "second", second.Metadata.ResourceVersion), (WatchEventType.Deleted, "first", deleted.Metadata.ResourceVersion)],
            events);
    }

    [Fact]
    public async Task Watch_from_now_sees_a_create_made_after_it_opened()
    {
        var ns = await fixture.NewNamespaceAsync("live-");
        var list = await Client.CoreV1.ListNamespacedPodAsync(ns);
        using var cts = new CancellationTokenSource(WatchTimeout);
        var watch = Client.CoreV1.WatchListNamespacedPodAsync(ns, resourceVersion: list.Metadata.ResourceVersion, onError: null, cancellationToken: cts.Token);
        var creator = Task.Run(async () => await Client.CoreV1.CreateNamespacedPodAsync(Objects.Pod("late"), ns));
        await foreach (var (type, pod) in watch)
        {
            Assert.Equal((WatchEventType.Added, "late"), (type, pod.Metadata.Name));
            break;
        }
        await creator;
    }

    [Fact]
    public async Task Pagination_with_limit_and_continue_returns_every_object_once()
    {
        var ns = await fixture.NewNamespaceAsync("page-");
        var names = Enumerable.Range(0, 25).Select(i => $"pod-{i:00}").ToList();
        await Task.WhenAll(names.Select(n => Client.CoreV1.CreateNamespacedPodAsync(Objects.Pod(n), ns)));

        var seen = new List<string>();
        var remaining = new List<long?>();
        string? token = null;
        var pages = 0;
        do
        {
            var page = await Client.CoreV1.ListNamespacedPodAsync(ns, limit: 10, continueParameter: token);
            pages++;
            Assert.True(page.Items.Count <= 10, $"page {pages} has {page.Items.Count} items");
            seen.AddRange(page.Items.Select(p => p.Metadata.Name));
            remaining.Add(page.Metadata.RemainingItemCount);
            token = page.Metadata.ContinueProperty;
            Assert.True(pages <= 3, "more pages than 25 objects need");
        }
        while (!string.IsNullOrEmpty(token));
        Assert.Equal(3, pages);
        Assert.Equal(names, seen);
        Assert.Equal([15L, 5L, null], remaining);
    }

    [Fact]
    public async Task Label_and_field_selectors_filter_lists()
    {
        var ns = await fixture.NewNamespaceAsync("select-");
        await Client.CoreV1.CreateNamespacedPodAsync(Objects.Pod("web-a", Objects.Labels("app=web", "tier=front")), ns);
        await Client.CoreV1.CreateNamespacedPodAsync(Objects.Pod("web-b", Objects.Labels("app=web", "tier=back"), nodeName: "node-1"), ns);
        await Client.CoreV1.CreateNamespacedPodAsync(Objects.Pod("db", Objects.Labels("app=db")), ns);
        await Client.CoreV1.CreateNamespacedPodAsync(Objects.Pod("plain"), ns);

        async Task<string> Names(string? labels = null, string? fields = null) =>
            string.Join(",", (await Client.CoreV1.ListNamespacedPodAsync(ns, labelSelector: labels, fieldSelector: fields)).Items.Select(p => p.Metadata.Name).Order());

        Assert.Equal("web-a,web-b", await Names("app=web"));
        Assert.Equal("db,web-a,web-b", await Names("app in (web,db)"));
        Assert.Equal("db,web-b", await Names("app,tier!=front"));
        Assert.Equal("plain", await Names("!app"));
        Assert.Equal("web-a", await Names("app=web,tier notin (back)"));
        Assert.Equal("db", await Names(fields: "metadata.name=db"));
        Assert.Equal("web-b", await Names(fields: "spec.nodeName=node-1"));
        Assert.Equal("db,plain,web-a", await Names(fields: "spec.nodeName="));
        Assert.Equal("web-a", await Names("app=web", "metadata.name!=web-b"));
        Assert.Equal("", await Names(fields: "status.phase=Running"));

        var allNs = await Client.CoreV1.ListPodForAllNamespacesAsync(labelSelector: "app=web", fieldSelector: $"metadata.namespace={ns}");
        Assert.Equal(["web-a", "web-b"], allNs.Items.Select(p => p.Metadata.Name).Order());

        var bad = await ApiAssert.FailsAsync(400, () => Client.CoreV1.ListNamespacedPodAsync(ns, fieldSelector: "spec.unknownField=x"));
        Assert.Equal("BadRequest", bad.Reason);
    }

    [Fact]
    public async Task GenerateName_makes_a_unique_name_with_a_five_character_suffix()
    {
        var ns = await fixture.NewNamespaceAsync("gen-");
        var pod = Objects.Pod("");
        pod.Metadata.Name = null;
        pod.Metadata.GenerateName = "worker-";
        var made = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => Client.CoreV1.CreateNamespacedPodAsync(pod, ns)));
        foreach (var p in made)
        {
            Assert.Matches("^worker-[bcdfghjklmnpqrstvwxz2456789]{5}$", p.Metadata.Name);
            Assert.Equal("worker-", p.Metadata.GenerateName);
        }
        Assert.Equal(5, made.Select(p => p.Metadata.Name).Distinct().Count());
        Assert.Matches(new Regex("^it-[bcdfghjklmnpqrstvwxz2456789]{5}$"), await fixture.NewNamespaceAsync());
    }
}
