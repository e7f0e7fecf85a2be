using k8s;
using Microsoft.Extensions.Logging;
using Navarch.Client.Informers;

namespace Navarch.Scheduler;

/// <summary>Runs the scheduler against an API server over HTTP with the official client.</summary>
public static class SchedulerHost
{
    /// <summary>
    /// Watches pods, nodes, services and replication controllers, and binds this scheduler's pending pods until
    /// <paramref name="ct"/> ends (then returns, or throws <see cref="OperationCanceledException"/>).
    /// </summary>
    public static async Task RunAsync(IKubernetes client, SchedulerOptions options, TimeProvider time, ILoggerFactory loggers, CancellationToken ct)
    {
        var informers = new SharedInformers(client, time: time, loggers: loggers);
        var scheduler = new Scheduler(client, informers, options, time, loggers);
        await informers.StartAsync(ct);
        await scheduler.RunAsync(ct);
        ct.ThrowIfCancellationRequested();
    }
}
