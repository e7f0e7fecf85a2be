using System.Runtime.CompilerServices;
using System.Threading.Channels;
using k8s;
using k8s.Models;
using Navarch.Client.Informers;

namespace Navarch.Client.Tests.Informers;

/// <summary>An informer over a scripted list/watch: lists, follows the watch, re-lists when the watch fails.</summary>
[Trait("Category", "Unit")]
public sealed class InformerTests
{
    private static V1Pod Pod(string name, string rv, string? label = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "default", ResourceVersion = rv, Labels = label is null ? null : new Dictionary<string, string> { ["l"] = label } },
    };

    /// <summary>Each list returns the next snapshot; each watch replays events from a channel until it is told to fail.</summary>
    private sealed class ScriptedListWatch
    {
        public readonly Queue<IReadOnlyList<V1Pod>> Lists = new();
        public readonly Channel<(WatchEventType, V1Pod)?> Events = Channel.CreateUnbounded<(WatchEventType, V1Pod)?>();
        public readonly List<string> WatchedFrom = [];
        public int ListCalls;

        public ListWatch<V1Pod> ListWatch => new(
            _ =>
            {
                ListCalls++;
                var items = Lists.Count > 1 ? Lists.Dequeue() : Lists.Peek();
                return Task.FromResult((items, items.Count.ToString()));
            },
            Watch);

        private async IAsyncEnumerable<(WatchEventType, V1Pod)> Watch(string rv, [EnumeratorCancellation] CancellationToken ct)
        {
            WatchedFrom.Add(rv);
            while (true)
            {
                var next = await Events.Reader.ReadAsync(ct);
                if (next is null) throw new InvalidOperationException("watch broke");
                yield return next.Value;
            }
        }
    }

    [Fact]
    public async Task Lists_then_follows_the_watch_then_relists_after_a_failure()
    {
        var script = new ScriptedListWatch();
        script.Lists.Enqueue([Pod("a", "1"), Pod("b", "2")]);
        script.Lists.Enqueue([Pod("a", "5", label: "new")]);
        var informer = new Informer<V1Pod>(script.ListWatch, resync: TimeSpan.Zero);
        var seen = Channel.CreateUnbounded<string>();
        informer.AddHandlers(new EventHandlers<V1Pod>
        {
            OnAdd = p => seen.Writer.TryWrite($"add {p.Metadata.Name}"),
            OnUpdate = (_, p) => seen.Writer.TryWrite($"update {p.Metadata.Name}@{p.Metadata.ResourceVersion}"),
            OnDelete = p => seen.Writer.TryWrite($"delete {p.Metadata.Name}"),
        });
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var run = informer.RunAsync(cts.Token);

        await informer.WaitForSyncAsync(cts.Token);
        Assert.Equal(["add a", "add b"], [await seen.Reader.ReadAsync(cts.Token), await seen.Reader.ReadAsync(cts.Token)]);

        script.Events.Writer.TryWrite((WatchEventType.Added, Pod("c", "3")));
        script.Events.Writer.TryWrite((WatchEventType.Bookmark, Pod("", "4")));
        Assert.Equal("add c", await seen.Reader.ReadAsync(cts.Token));
        Assert.NotNull(informer.Get("default", "c"));

        // The watch fails: the informer re-lists and tells handlers what the new list changed.
        script.Events.Writer.TryWrite(null);
        var changes = new HashSet<string>();
        for (var i = 0; i < 3; i++) changes.Add(await seen.Reader.ReadAsync(cts.Token));
        Assert.Equal(new HashSet<string> { "update a@5", "delete b", "delete c" }, changes);
        Assert.Equal(2, script.ListCalls);
        Assert.Equal(["2", "1"], script.WatchedFrom);
        Assert.Single(informer.List());

        await cts.CancelAsync();
        await run;
    }
}
