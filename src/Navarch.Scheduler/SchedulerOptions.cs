namespace Navarch.Scheduler;

/// <summary>Settings of the scheduler.</summary>
public sealed class SchedulerOptions
{
    /// <summary>Pods whose spec.schedulerName is this are ours (upstream's default).</summary>
    public string SchedulerName { get; set; } = "default-scheduler";
    /// <summary>Concurrent bind requests in flight.</summary>
    public int BindParallelism { get; set; } = 16;
}
