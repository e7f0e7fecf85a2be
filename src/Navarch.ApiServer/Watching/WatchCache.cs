using Microsoft.Extensions.Logging;
using Navarch.Api.Resources;
using Navarch.ApiServer.Registry;
using Navarch.ApiServer.Storage;
using Navarch.Storage;

namespace Navarch.ApiServer.Watching;

/// <summary>
/// The API server's view of the store: one watch on the whole registry, decoded once and fanned out to a
/// <see cref="ResourceCache"/> per resource type. Reads wait until the cache has caught up with the store's
/// newest revision, so a client always reads its own writes.
/// </summary>
public sealed partial class WatchCache : IAsyncDisposable
{
    private readonly IStore _store;
    private readonly ILogger _log;
    private readonly Dictionary<ResourceType, ResourceCache> _caches;
    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;
    private int _disposed;

    // Completed and replaced each time the processed revision moves on; readers wait on it.
    private readonly object _progressLock = new();
    private TaskCompletionSource _progress = NewProgress();
    private long _processedRevision;
    // Held while an event is applied and the revision advanced, so a list's snapshot and its revision agree.
    private readonly object _applyLock = new();

    public WatchCache(IStore store, ILogger<WatchCache> log, int windowSize = 10_000)
    {
        _store = store;
        _log = log;
        _caches = ResourceCatalog.All.ToDictionary(rt => rt, rt => new ResourceCache(rt, windowSize));
    }

    public long ProcessedRevision => Interlocked.Read(ref _processedRevision);

    public ResourceCache For(ResourceType rt) => _caches[rt];

    /// <summary>The current objects of <paramref name="rt"/> and the revision they are current at.</summary>
    public (System.Collections.Immutable.ImmutableSortedDictionary<string, CachedObject> Objects, long Revision) Snapshot(ResourceType rt)
    {
        lock (_applyLock) return (_caches[rt].Snapshot, _processedRevision);
    }

    /// <summary>Starts a watch whose replay and live events line up with <see cref="ProcessedRevision"/>.</summary>
    public Watcher? Watch(ResourceType rt, long? afterRevision, long compactedRevision, Func<CachedObject, bool> matches, out long oldestServable, out long startRevision)
    {
        lock (_applyLock)
        {
            startRevision = _processedRevision;
            return _caches[rt].Watch(afterRevision, compactedRevision, matches, Watcher.DefaultCapacity, out oldestServable);
        }
    }

    public async Task StartAsync(CancellationToken ct)
    {
        var revision = await LoadAsync(ct);
        _loop = Task.Run(() => FollowAsync(revision, _stop.Token), CancellationToken.None);
    }

    /// <summary>Waits until every write acknowledged before this call is visible in the cache.</summary>
    public async Task WaitUntilFreshAsync(CancellationToken ct)
    {
        var target = await _store.GetRevisionAsync(ct);
        await WaitForRevisionAsync(target, ct);
    }

    public async Task WaitForRevisionAsync(long revision, CancellationToken ct)
    {
        // Usually the cache is already there: skip the linked token and its timer, which every read paid for.
        if (ProcessedRevision >= revision) return;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        while (true)
        {
            Task next;
            lock (_progressLock)
            {
                if (_processedRevision >= revision) return;
                next = _progress.Task;
            }
            try
            {
                await next.WaitAsync(timeout.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                throw new ApiException(504, "Timeout", $"Timeout: watch cache did not reach resource version {revision}");
            }
        }
    }

    private async Task<long> LoadAsync(CancellationToken ct)
    {
        var list = await _store.ListAsync(ObjectKeys.Root, new ListOptions(), ct);
        var byType = new Dictionary<ResourceType, List<CachedObject>>();
        foreach (var entry in list.Entries)
        {
            var rt = ObjectKeys.ResourceOf(entry.Key);
            if (rt is null) continue;
            if (!byType.TryGetValue(rt, out var objects)) byType[rt] = objects = [];
            objects.Add(Cached(rt, entry));
        }
        lock (_applyLock)
        {
            foreach (var (rt, cache) in _caches) cache.Reset(byType.GetValueOrDefault(rt) ?? [], list.Revision);
            Advance(list.Revision);
        }
        return list.Revision;
    }

    private async Task FollowAsync(long revision, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await foreach (var e in _store.WatchAsync(ObjectKeys.Root, revision, ct))
                {
                    lock (_applyLock)
                    {
                        Dispatch(e);
                        revision = e.Entry.Revision;
                        Advance(revision);
                    }
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // The store ended our watch (it fell behind or was compacted past us): start over from a
                // fresh list; every client watch is ended and its client re-lists, as upstream does.
                LogRelist(ex.Message);
                try
                {
                    revision = await LoadAsync(ct);
                }
                catch (OperationCanceledException) when (ct.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception again)
                {
                    LogRelist(again.Message);
                    await Task.Delay(TimeSpan.FromMilliseconds(200), ct).ContinueWith(_ => { }, CancellationToken.None);
                }
            }
        }
    }

    private void Dispatch(StoreEvent e)
    {
        var rt = ObjectKeys.ResourceOf(e.Entry.Key);
        if (rt is null) return;
        var cache = _caches[rt];
        var obj = Cached(rt, e.Entry);
        var previous = cache.Get(e.Entry.Key);
        var type = e.Type switch
        {
            StoreEventType.Created => CacheEventType.Added,
            StoreEventType.Deleted => CacheEventType.Deleted,
            _ => previous is null ? CacheEventType.Added : CacheEventType.Modified,
        };
        cache.Apply(new CacheEvent(type, obj, previous));
    }

    // The stored bytes with the revision spliced in are exactly what clients get: no second serialization.
    internal static CachedObject Cached(ResourceType rt, StoreEntry entry) =>
        new(rt, entry.Key, ObjectCodec.Decode(rt, entry.Value.Span, entry.Revision), entry.Revision,
            ObjectCodec.WithResourceVersion(entry.Value.Span, entry.Revision));

    private void Advance(long revision)
    {
        TaskCompletionSource done;
        lock (_progressLock)
        {
            if (revision <= _processedRevision) return;
            _processedRevision = revision;
            done = _progress;
            _progress = NewProgress();
        }
        done.TrySetResult();
    }

    private static TaskCompletionSource NewProgress() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        await _stop.CancelAsync();
        try { await _loop; } catch (OperationCanceledException) { }
        _stop.Dispose();
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "watch cache re-lists the store: {Reason}")]
    private partial void LogRelist(string reason);
}
