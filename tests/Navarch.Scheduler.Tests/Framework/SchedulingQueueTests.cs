using Microsoft.Extensions.Time.Testing;
using Navarch.Scheduler.Queue;

namespace Navarch.Scheduler.Tests.Framework;

[Trait("Category", "Unit")]
public class SchedulingQueueTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public async Task Pods_come_out_in_order_once_each()
    {
        var queue = new SchedulingQueue(_time);
        queue.AddOrUpdate(Build.Pod("a"));
        queue.AddOrUpdate(Build.Pod("b"));
        queue.AddOrUpdate(Build.Pod("a"));
        Assert.Equal("a", (await queue.PopAsync(CancellationToken.None)).Pod.Metadata.Name);
        Assert.Equal("b", (await queue.PopAsync(CancellationToken.None)).Pod.Metadata.Name);
        Assert.Equal(QueueState.InFlight, queue.StateOf("default/a"));
    }

    [Fact]
    public async Task An_unschedulable_pod_waits_for_a_change_then_its_backoff()
    {
        var queue = new SchedulingQueue(_time);
        queue.AddOrUpdate(Build.Pod("p"));
        var popped = await queue.PopAsync(CancellationToken.None);
        queue.Unschedulable("default/p", popped);
        queue.Flush();
        Assert.Equal(QueueState.Unschedulable, queue.StateOf("default/p"));

        queue.MoveAllToActiveOrBackoff();
        Assert.Equal(QueueState.Backoff, queue.StateOf("default/p"));
        _time.Advance(SchedulingQueue.BackoffFor(1));
        queue.Flush();
        Assert.Equal(QueueState.Active, queue.StateOf("default/p"));
    }

    [Fact]
    public async Task A_change_during_the_cycle_is_not_missed()
    {
        var queue = new SchedulingQueue(_time);
        queue.AddOrUpdate(Build.Pod("p"));
        var popped = await queue.PopAsync(CancellationToken.None);
        queue.MoveAllToActiveOrBackoff(); // e.g. a node was added while the cycle ran
        queue.Unschedulable("default/p", popped);
        Assert.Equal(QueueState.Backoff, queue.StateOf("default/p"));
    }

    [Fact]
    public async Task Unschedulable_pods_are_retried_after_the_timeout_anyway()
    {
        var queue = new SchedulingQueue(_time);
        queue.AddOrUpdate(Build.Pod("p"));
        queue.Unschedulable("default/p", await queue.PopAsync(CancellationToken.None));
        _time.Advance(SchedulingQueue.UnschedulableTimeout);
        queue.Flush();
        Assert.Equal(QueueState.Active, queue.StateOf("default/p"));
    }

    [Fact]
    public async Task A_deleted_pod_is_never_popped()
    {
        var queue = new SchedulingQueue(_time);
        queue.AddOrUpdate(Build.Pod("gone"));
        queue.AddOrUpdate(Build.Pod("kept"));
        queue.Delete("default/gone");
        Assert.Equal("kept", (await queue.PopAsync(CancellationToken.None)).Pod.Metadata.Name);
    }

    [Fact]
    public async Task Updates_of_unschedulable_pods_without_labels_are_compared_without_throwing()
    {
        var queue = new SchedulingQueue(_time);
        const int Pods = 300;
        for (var i = 0; i < Pods; i++)
        {
            var pod = Build.Pod($"p{i}");
            pod.Metadata.ResourceVersion = "1";
            queue.AddOrUpdate(pod);
            queue.Unschedulable($"default/p{i}", await queue.PopAsync(CancellationToken.None));
        }
        for (var i = 0; i < Pods; i++)
        {
            // A status-only change (e.g. the PodScheduled condition) keeps the pod parked; a changed spec wakes it.
            var pod = Build.Pod($"p{i}");
            pod.Metadata.ResourceVersion = "2";
            if (i % 2 == 1) pod.Spec.Containers[0].Image = "busybox";
            queue.AddOrUpdate(pod);
        }
        Assert.Equal(Pods / 2, queue.Counts()[QueueState.Unschedulable]);
        Assert.Equal(Pods / 2, queue.Counts()[QueueState.Active]);

        var labelled = Build.Pod("p0", labels: new Dictionary<string, string> { ["app"] = "web" });
        labelled.Metadata.ResourceVersion = "3";
        queue.AddOrUpdate(labelled);
        Assert.Equal(QueueState.Active, queue.StateOf("default/p0"));
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    [InlineData(4, 8)]
    [InlineData(5, 10)]
    [InlineData(9, 10)]
    public void Backoff_doubles_up_to_ten_seconds(int attempts, int seconds)
    {
        Assert.Equal(TimeSpan.FromSeconds(seconds), SchedulingQueue.BackoffFor(attempts));
    }
}
