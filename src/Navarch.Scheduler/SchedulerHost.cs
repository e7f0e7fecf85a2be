using k8s;
using Microsoft.Extensions.Logging;

namespace Navarch.Scheduler;

/// <summary>Runs the scheduler against an API server over HTTP with the official client.</summary>
public static class SchedulerHost
{
    public static Task RunAsync(IKubernetes client, SchedulerOptions options, TimeProvider time, ILoggerFactory loggers, CancellationToken ct)
    {
        // TODO(issue 3): the scheduling loop.
        return Task.Delay(Timeout.Infinite, ct);
    }
}
