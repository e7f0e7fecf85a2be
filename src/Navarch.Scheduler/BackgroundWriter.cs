using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Navarch.Scheduler;

/// <summary>
/// Runs writes meant for people (events, the PodScheduled condition) off the scheduling path, a few at a time.
/// Bounded: when it is full, new writes are dropped, as upstream's event broadcaster drops events rather
/// than slow the scheduler down (a retried pod writes its condition again).
/// </summary>
internal sealed partial class BackgroundWriter
{
    private readonly Channel<Func<CancellationToken, Task>> _writes;
    private readonly ILogger _log;
    private long _dropped;

    public BackgroundWriter(int capacity, ILogger log)
    {
        _writes = Channel.CreateBounded<Func<CancellationToken, Task>>(new BoundedChannelOptions(capacity) { FullMode = BoundedChannelFullMode.DropWrite });
        _log = log;
    }

    /// <summary>Writes dropped so far because the writer was full.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Queues a write; returns false (and drops it) when full.</summary>
    public bool Post(Func<CancellationToken, Task> write)
    {
        if (_writes.Writer.TryWrite(write)) return true;
        Interlocked.Increment(ref _dropped);
        return false;
    }

    /// <summary>Runs queued writes with <paramref name="workers"/> in parallel until <paramref name="ct"/> ends.</summary>
    public Task RunAsync(int workers, CancellationToken ct) =>
        Task.WhenAll(Enumerable.Range(0, workers).Select(_ => Task.Run(() => WorkAsync(ct), CancellationToken.None)));

    private async Task WorkAsync(CancellationToken ct)
    {
        try
        {
            await foreach (var write in _writes.Reader.ReadAllAsync(ct))
            {
                try { await write(ct); }
                catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested) { LogWriteFailed(e.Message); }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(EventId = 20, Level = LogLevel.Debug, Message = "scheduler background write failed: {Error}")]
    private partial void LogWriteFailed(string error);
}
