namespace Navarch.Scheduler;

/// <summary>Settings of the scheduler.</summary>
public sealed class SchedulerOptions
{
    /// <summary>Pods whose spec.schedulerName is this are ours (upstream's default).</summary>
    public string SchedulerName { get; set; } = "default-scheduler";
    /// <summary>Concurrent bind requests in flight.</summary>
    public int BindParallelism { get; set; } = 16;
    /// <summary>Events and status writes queued at most; more are dropped (as upstream's event broadcaster, 1000).</summary>
    public int BackgroundWriteCapacity { get; set; } = 1000;
}
