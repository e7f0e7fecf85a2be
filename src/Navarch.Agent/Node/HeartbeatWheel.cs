using Microsoft.Extensions.Logging;

namespace Navarch.Agent.Node;

/// <summary>
/// Runs many periodic beats (lease renewals, node status checks) from one loop: wakes when the earliest is
/// due, runs every due beat with bounded concurrency, and schedules each again a jittered period after it
/// finished. One wheel serves one agent, or a thousand hollow nodes at the cost of one loop.
/// </summary>
public sealed partial class HeartbeatWheel(TimeProvider time, ILogger log, int concurrency = 32)
{
    /// <summary>Longest sleep, so beats added while the loop sleeps start promptly.</summary>
    private static readonly TimeSpan MaxSleep = TimeSpan.FromMilliseconds(500);

    private readonly Lock _lock = new();
    private readonly HeartbeatSchedule _schedule = new();

    /// <summary>Adds a beat, first due after <paramref name="firstDelay"/>; dispose the result to stop it.</summary>
    public IDisposable Add(string name, TimeSpan period, Func<CancellationToken, Task> run, TimeSpan firstDelay)
    {
        var beat = new HeartbeatSchedule.Beat(name, period, run);
        lock (_lock) _schedule.Add(beat, time.GetUtcNow() + firstDelay);
        return beat;
    }

    /// <summary>A random first delay within one period, so beats added together spread out.</summary>
    public static TimeSpan Spread(TimeSpan period) => TimeSpan.FromTicks((long)(period.Ticks * Random.Shared.NextDouble()));

    /// <summary>Runs beats until cancelled. A failing beat is logged and runs again at its next period.</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            List<HeartbeatSchedule.Beat> due;
            DateTimeOffset? next;
            lock (_lock)
            {
                due = _schedule.TakeDue(time.GetUtcNow());
                next = _schedule.NextDue;
            }
            if (due.Count > 0)
            {
                try
                {
                    await Parallel.ForEachAsync(due, new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = ct }, async (beat, token) =>
                {
                    try { await beat.Run(token); }
                    catch (OperationCanceledException) when (token.IsCancellationRequested) { return; }
                    catch (Exception e) { LogBeatFailed(beat.Name, e.Message); }
                    lock (_lock) _schedule.Reschedule(beat, time.GetUtcNow());
                    });
                }
                catch (OperationCanceledException) when (ct.IsCancellationRequested)
                {
                    return;
                }
                continue;
            }
            var sleep = next is { } n ? n - time.GetUtcNow() : MaxSleep;
            if (sleep > MaxSleep) sleep = MaxSleep;
            if (sleep <= TimeSpan.Zero) continue;
            try { await Task.Delay(sleep, time, ct); }
            catch (OperationCanceledException) { return; }
        }
    }

    [LoggerMessage(EventId = 20, Level = LogLevel.Warning, Message = "{Beat} failed: {Reason}")]
    private partial void LogBeatFailed(string beat, string reason);
}
