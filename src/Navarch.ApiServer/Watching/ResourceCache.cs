using System.Collections.Immutable;
using Navarch.Api.Resources;

namespace Navarch.ApiServer.Watching;

/// <summary>
/// The current objects of one resource type plus a window of its recent events, fed by <see cref="WatchCache"/>.
/// Lists read an immutable snapshot; watches replay the window and then follow live events.
/// </summary>
public sealed class ResourceCache(ResourceType type, int windowSize)
{
    // Guards _objects (swapped, never mutated), the event window and the watcher set, so that a new
    // watcher's replay and the live events that follow it neither overlap nor leave a gap.
    private readonly object _lock = new();
    private ImmutableSortedDictionary<string, CachedObject> _objects = ImmutableSortedDictionary.Create<string, CachedObject>(StringComparer.Ordinal);
    private readonly Queue<CacheEvent> _window = new();
    private readonly HashSet<Watcher> _watchers = [];
    // Every event with a revision above this is in the window.
    private long _windowFloor;

    public ResourceType Type { get; } = type;

    public ImmutableSortedDictionary<string, CachedObject> Snapshot => Volatile.Read(ref _objects);

    public int WatcherCount { get { lock (_lock) return _watchers.Count; } }

    public CachedObject? Get(string key) => Snapshot.GetValueOrDefault(key);

    /// <summary>Replaces the whole state (start-up and re-list after the store watch broke); ends every watcher.</summary>
    internal void Reset(IEnumerable<CachedObject> objects, long revision)
    {
        lock (_lock)
        {
            _objects = objects.ToImmutableSortedDictionary(o => o.Key, o => o, StringComparer.Ordinal);
            _window.Clear();
            _windowFloor = revision;
            foreach (var w in _watchers) w.Terminate("watch cache re-initialised");
            _watchers.Clear();
        }
    }

    internal void Apply(CacheEvent e)
    {
        lock (_lock)
        {
            _objects = e.Type == CacheEventType.Deleted ? _objects.Remove(e.Object.Key) : _objects.SetItem(e.Object.Key, e.Object);
            _window.Enqueue(e);
            while (_window.Count > windowSize) _windowFloor = _window.Dequeue().Revision;
            foreach (var w in _watchers) w.Deliver(e);
        }
    }

    /// <summary>
    /// Starts a watch. With <paramref name="afterRevision"/> = null the watcher first gets an Added event for
    /// every current object that matches; otherwise every matching event after that revision.
    /// Returns null when the window no longer reaches back that far (the caller answers 410 Gone).
    /// </summary>
    public Watcher? Watch(long? afterRevision, long compactedRevision, Func<CachedObject, bool> matches, int capacity, out long oldestServable)
    {
        lock (_lock)
        {
            oldestServable = Math.Max(_windowFloor, compactedRevision);
            if (afterRevision is { } rv && rv < oldestServable) return null;

            var initial = afterRevision is null
                ? _objects.Values.Where(matches).Select(o => new CacheEvent(CacheEventType.Added, o, null)).ToList()
                : null;
            var watcher = new Watcher(matches, Remove, Math.Max(capacity, (initial?.Count ?? 0) + capacity));
            if (initial is not null)
                foreach (var e in initial) watcher.DeliverUnfiltered(e);
            else
                foreach (var e in _window)
                    if (e.Revision > afterRevision) watcher.Deliver(e);
            _watchers.Add(watcher);
            return watcher;
        }
    }

    private void Remove(Watcher w)
    {
        lock (_lock) _watchers.Remove(w);
    }
}
