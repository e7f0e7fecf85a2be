using Microsoft.Extensions.Time.Testing;
using Navarch.Client.Queue;

namespace Navarch.Client.Tests.Queue;

[Trait("Category", "Unit")]
public sealed class WorkQueueTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task A_key_added_twice_while_waiting_is_handed_out_once()
    {
        var queue = new WorkQueue();
        queue.Add("default/a");
        queue.Add("default/a");
        queue.Add("default/b");

        Assert.Equal(2, queue.Length);
        Assert.Equal("default/a", await queue.GetAsync(new CancellationTokenSource(Wait).Token));
        Assert.Equal("default/b", await queue.GetAsync(new CancellationTokenSource(Wait).Token));
    }

    [Fact]
    public async Task A_key_changed_while_processed_comes_back_only_after_Done()
    {
        var queue = new WorkQueue();
        queue.Add("k");
        var key = await queue.GetAsync(new CancellationTokenSource(Wait).Token);

        queue.Add("k");
        Assert.Equal(0, queue.Length); // not handed to a second worker while the first holds it

        queue.Done(key!);
        Assert.Equal(1, queue.Length);
        Assert.Equal("k", await queue.GetAsync(new CancellationTokenSource(Wait).Token));
    }

    [Fact]
    public void Rate_limited_retries_double_until_forgotten()
    {
        var time = new FakeTimeProvider();
        var queue = new WorkQueue(time, baseDelay: TimeSpan.FromMilliseconds(100), maxDelay: TimeSpan.FromSeconds(1));

        queue.AddRateLimited("k"); // 100 ms
        time.Advance(TimeSpan.FromMilliseconds(99));
        Assert.Equal(0, queue.Length);
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, queue.Length);

        queue.AddRateLimited("other");
        queue.AddRateLimited("k"); // second failure of k: 200 ms
        time.Advance(TimeSpan.FromMilliseconds(100));
        Assert.Equal(2, queue.Length); // k (already queued, deduplicated) and other
        Assert.Equal(2, queue.Failures("k"));

        queue.Forget("k");
        Assert.Equal(0, queue.Failures("k"));
    }

    [Fact]
    public void Back_off_stops_growing_at_the_maximum()
    {
        var time = new FakeTimeProvider();
        var queue = new WorkQueue(time, baseDelay: TimeSpan.FromMilliseconds(100), maxDelay: TimeSpan.FromSeconds(1));
        for (var i = 0; i < 20; i++) queue.AddRateLimited("k");

        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, queue.Length);
    }

    [Fact]
    public async Task Shut_down_releases_waiting_workers()
    {
        var queue = new WorkQueue();
        var waiting = queue.GetAsync(new CancellationTokenSource(Wait).Token);
        queue.ShutDown();

        Assert.Null(await waiting);
    }
}
