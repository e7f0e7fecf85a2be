using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Navarch.Storage.Watch;

/// <summary>
/// In-process fan-out of committed events. The store is the only writer, so it publishes every commit
/// here (in revision order, after it is durable); the hub keeps a bounded ring of recent events for
/// watchers that start slightly in the past and pushes live events to each subscriber's bounded channel.
/// A subscriber that cannot keep up is ended with <see cref="StorageErrorCode.Unavailable"/> rather than
/// slowing the writer.
/// </summary>
internal sealed class WatchHub
{
    private readonly int _bufferSize;

    // Guarded by _gate: the ring, its floor, the revision and the subscribers change together so that a
    // new subscriber sees every event exactly once, either in its replay or on its channel.
    private readonly Lock _gate = new();
    private readonly Queue<StoreEvent> _ring = new();
    private readonly int _ringCapacity;
    private readonly List<WatchSubscription> _subscribers = [];
    private long _ringFloor; // the ring holds every event newer than this
    private long _revision;
    private Exception? _closedWith;

    public WatchHub(long revision, int ringCapacity, int bufferSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(ringCapacity);
        ArgumentOutOfRangeException.ThrowIfLessThan(bufferSize, 1);
        _revision = _ringFloor = revision;
        _ringCapacity = ringCapacity;
        _bufferSize = bufferSize;
    }

    /// <summary>The revision of the newest published event.</summary>
    public long Revision
    {
        get { lock (_gate) return _revision; }
    }

    /// <summary>Publishes committed events, oldest first; an event not newer than <see cref="Revision"/> is a bug
    /// of the caller and is skipped rather than thrown, because the caller is the writer loop.</summary>
    public void Publish(IReadOnlyList<StoreEvent> events)
    {
        lock (_gate)
        {
            foreach (var e in events)
            {
                Debug.Assert(e.Entry.Revision > _revision, $"Event revision {e.Entry.Revision} is not after {_revision}.");
                if (e.Entry.Revision <= _revision)
                    continue;
                _revision = e.Entry.Revision;
                Remember(e);
                for (var i = _subscribers.Count - 1; i >= 0; i--)
                {
                    var sub = _subscribers[i];
                    if (!e.Entry.Key.StartsWith(sub.Prefix, StringComparison.Ordinal) || sub.TryDeliver(e))
                        continue;
                    _subscribers.RemoveAt(i);
                    sub.End(new StorageException(StorageErrorCode.Unavailable, sub.Prefix,
                        $"Watch of {sub.Prefix} fell more than {_bufferSize} events behind; watch again from the last revision received."));
                }
            }
        }
    }

    /// <summary>Subscribes to live events under <paramref name="prefix"/> and takes the ring's replay after <paramref name="afterRevision"/>.</summary>
    public WatchSubscription Subscribe(string prefix, long afterRevision)
    {
        lock (_gate)
        {
            IReadOnlyList<StoreEvent>? replay = null;
            if (afterRevision >= _ringFloor)
                replay = _ring.Where(e => e.Entry.Revision > afterRevision && e.Entry.Key.StartsWith(prefix, StringComparison.Ordinal)).ToList();
            var sub = new WatchSubscription(prefix, _revision, replay, _bufferSize, Unsubscribe);
            if (_closedWith is not null)
                sub.End(_closedWith);
            else
                _subscribers.Add(sub);
            return sub;
        }
    }

    /// <summary>Ends every watcher with <paramref name="error"/>, now and for later subscribers.</summary>
    public void Close(Exception error)
    {
        lock (_gate)
        {
            _closedWith = error;
            foreach (var sub in _subscribers)
                sub.End(error);
            _subscribers.Clear();
        }
    }

    /// <summary>
    /// Runs one watch: the history after <paramref name="afterRevision"/> (from the ring, else from
    /// <paramref name="history"/>), then live events until <paramref name="ct"/> is cancelled.
    /// </summary>
    public async IAsyncEnumerable<StoreEvent> WatchAsync(IWatchHistory history, string prefix, long afterRevision,
        [EnumeratorCancellation] CancellationToken ct)
    {
        if (afterRevision < history.CompactedRevision)
            throw Compacted(prefix, afterRevision, history.CompactedRevision);
        using var sub = Subscribe(prefix, afterRevision);
        if (sub.Replay is not null)
        {
            foreach (var e in sub.Replay)
                yield return e;
        }
        else
        {
            await foreach (var e in history.ReadAsync(prefix, afterRevision, sub.UpToRevision, ct).ConfigureAwait(false))
                yield return e;
        }
        await foreach (var e in sub.Live.ReadAllAsync(ct).ConfigureAwait(false))
        {
            if (e.Entry.Revision > afterRevision)
                yield return e;
        }
        // The channel only completes without an error when nobody is left to write; say so rather than end quietly.
        throw new StorageException(StorageErrorCode.Unavailable, prefix, "The store closed the watch.");
    }

    internal static StorageException Compacted(string key, long afterRevision, long compactedRevision) =>
        new(StorageErrorCode.Compacted, key,
            $"Revision {afterRevision} has been compacted; the oldest revision to watch after is {compactedRevision}.");

    private void Remember(StoreEvent e)
    {
        if (_ringCapacity == 0)
        {
            _ringFloor = e.Entry.Revision;
            return;
        }
        if (_ring.Count == _ringCapacity)
            _ringFloor = _ring.Dequeue().Entry.Revision;
        _ring.Enqueue(e);
    }

    private void Unsubscribe(WatchSubscription sub)
    {
        lock (_gate)
            _subscribers.Remove(sub);
    }
}
