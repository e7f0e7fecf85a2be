using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Navarch.Client.Informers;

namespace Navarch.Client.Queue;

/// <summary>
/// A control loop: event handlers enqueue keys, workers call <see cref="SyncAsync"/> for each, one worker per
/// key at a time; a failed sync is retried with back-off.
/// </summary>
public abstract partial class Controller(string name, ILogger log, TimeProvider? time = null)
{
    private readonly ILogger _log = log;

    /// <summary>Keys to sync; its back-off and delays run on the controller's clock (fake in tests).</summary>
    protected WorkQueue Queue { get; } = new(time);
    public string Name { get; } = name;

    /// <summary>Handlers that queue the key of whatever object changed.</summary>
    protected EventHandlers<T> EnqueueOwnKey<T>() where T : IKubernetesObject<V1ObjectMeta> => new()
    {
        OnAdd = o => Queue.Add(ObjectKey.Of(o)),
        OnUpdate = (_, o) => Queue.Add(ObjectKey.Of(o)),
        OnDelete = o => Queue.Add(ObjectKey.Of(o)),
    };

    /// <summary>Queues every key of <paramref name="keys"/>.</summary>
    protected void EnqueueAll(IEnumerable<string> keys)
    {
        foreach (var key in keys) Queue.Add(key);
    }

    /// <summary>Brings the world in line with the object named <paramref name="key"/>; throw to retry.</summary>
    protected abstract Task SyncAsync(string key, CancellationToken ct);

    /// <summary>Waits for the informers this loop reads (called before any worker starts).</summary>
    protected abstract Task WaitForCachesAsync(CancellationToken ct);

    public async Task RunAsync(int workers, CancellationToken ct)
    {
        await WaitForCachesAsync(ct);
        await using var _ = ct.Register(Queue.ShutDown);
        await Task.WhenAll(Enumerable.Range(0, workers).Select(_ => Task.Run(() => WorkAsync(ct), CancellationToken.None)));
    }

    private async Task WorkAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            string? key;
            try { key = await Queue.GetAsync(ct); }
            catch (OperationCanceledException) { return; }
            if (key is null) return;
            try
            {
                await SyncAsync(key, ct);
                Queue.Forget(key);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                LogSyncFailed(Name, key, Queue.Failures(key) + 1, e.Message);
                Queue.AddRateLimited(key);
            }
            finally
            {
                Queue.Done(key);
            }
        }
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "{Controller}: sync of {Key} failed (attempt {Attempt}): {Reason}")]
    private partial void LogSyncFailed(string controller, string key, int attempt, string reason);
}
