using System.Runtime.CompilerServices;
using Navarch.Storage.Watch;

namespace Navarch.Storage.Memory;

/// <summary>
/// An <see cref="IStore"/> held in memory: the reference implementation for the conformance tests and the
/// store of unit tests. It keeps every event since the last compaction, so memory grows until
/// <see cref="CompactAsync"/> is called.
/// </summary>
public sealed class MemoryStore : IStore, IWatchHistory
{
    // Guarded by _gate: the current values, the event log and both revisions change together.
    private readonly Lock _gate = new();
    private readonly SortedDictionary<string, StoreEntry> _live = new(StringComparer.Ordinal);
    private readonly List<StoreEvent> _log = []; // every event newer than _compacted, oldest first
    private readonly List<(long Revision, string Key, StoreEntry? Previous)> _undo = []; // beside _log: what each event replaced
    private long _revision;
    private long _compacted;

    private readonly WatchHub _hub;

    /// <param name="watchBufferSize">Live events a watcher may fall behind before it is ended with Unavailable.</param>
    public MemoryStore(int watchBufferSize = 1024)
    {
        _hub = new WatchHub(revision: 0, ringCapacity: 0, watchBufferSize);
    }

    public long CompactedRevision
    {
        get { lock (_gate) return _compacted; }
    }

    public ValueTask<long> GetRevisionAsync(CancellationToken ct = default)
    {
        lock (_gate) return ValueTask.FromResult(_revision);
    }

    public ValueTask<long> GetCompactedRevisionAsync(CancellationToken ct = default) => ValueTask.FromResult(CompactedRevision);

    public ValueTask<StoreEntry?> GetAsync(string key, CancellationToken ct = default)
    {
        lock (_gate) return ValueTask.FromResult(_live.GetValueOrDefault(key));
    }

    public ValueTask<StoreList> ListAsync(string prefix, ListOptions options, CancellationToken ct = default)
    {
        lock (_gate)
        {
            var revision = options.Revision > 0 ? options.Revision : _revision;
            var matches = ValuesAt(prefix, revision)
                .Where(e => options.After is null || string.CompareOrdinal(e.Key, options.After) > 0);
            var page = (options.Limit > 0 ? matches.Take(options.Limit + 1) : matches).ToList();
            var hasMore = options.Limit > 0 && page.Count > options.Limit;
            if (hasMore)
                page.RemoveAt(page.Count - 1);
            return ValueTask.FromResult(new StoreList(page, revision, hasMore));
        }
    }

    /// <summary>The entries under <paramref name="prefix"/> at <paramref name="revision"/>: the live ones with every later
    /// event undone, newest first. Called under _gate.</summary>
    private IEnumerable<StoreEntry> ValuesAt(string prefix, long revision)
    {
        var live = _live.Values.Where(e => e.Key.StartsWith(prefix, StringComparison.Ordinal));
        if (revision >= _revision)
            return live;
        if (revision < _compacted)
            throw new StorageException(StorageErrorCode.Compacted, prefix,
                $"The revision {revision} has been compacted (compacted revision {_compacted}).");
        var past = new SortedDictionary<string, StoreEntry>(live.ToDictionary(e => e.Key), StringComparer.Ordinal);
        for (var i = _undo.Count - 1; i >= 0 && _undo[i].Revision > revision; i--)
        {
            var (_, key, previous) = _undo[i];
            if (!key.StartsWith(prefix, StringComparison.Ordinal))
                continue;
            if (previous is null)
                past.Remove(key);
            else
                past[key] = previous;
        }
        return past.Values;
    }

    public ValueTask<long> CreateAsync(string key, ReadOnlyMemory<byte> value, CancellationToken ct = default)
    {
        lock (_gate)
        {
            if (_live.ContainsKey(key))
                throw new StorageException(StorageErrorCode.Exists, key);
            var revision = _revision + 1;
            return ValueTask.FromResult(Commit(StoreEventType.Created, new StoreEntry(key, value.ToArray(), revision, revision)));
        }
    }

    public ValueTask<long> UpdateAsync(string key, ReadOnlyMemory<byte> value, long expectedRevision, CancellationToken ct = default)
    {
        lock (_gate)
        {
            var current = Current(key, expectedRevision);
            return ValueTask.FromResult(Commit(StoreEventType.Updated, new StoreEntry(key, value.ToArray(), _revision + 1, current.CreateRevision)));
        }
    }

    public ValueTask<long> DeleteAsync(string key, long expectedRevision, CancellationToken ct = default)
    {
        lock (_gate)
        {
            var current = Current(key, expectedRevision);
            return ValueTask.FromResult(Commit(StoreEventType.Deleted, current with { Revision = _revision + 1 }));
        }
    }

    public IAsyncEnumerable<StoreEvent> WatchAsync(string prefix, long afterRevision, CancellationToken ct = default) =>
        _hub.WatchAsync(this, prefix, afterRevision, ct);

    public ValueTask CompactAsync(long revision, CancellationToken ct = default)
    {
        lock (_gate)
        {
            revision = Math.Min(revision, _revision);
            if (revision > _compacted)
            {
                _compacted = revision;
                _log.RemoveAll(e => e.Entry.Revision <= revision);
                _undo.RemoveAll(u => u.Revision <= revision);
            }
        }
        return ValueTask.CompletedTask;
    }

    async IAsyncEnumerable<StoreEvent> IWatchHistory.ReadAsync(string prefix, long afterRevision, long upToRevision,
        [EnumeratorCancellation] CancellationToken ct)
    {
        List<StoreEvent> events;
        lock (_gate)
        {
            if (afterRevision < _compacted)
                throw WatchHub.Compacted(prefix, afterRevision, _compacted);
            events = _log.Where(e => e.Entry.Revision > afterRevision && e.Entry.Revision <= upToRevision
                                     && e.Entry.Key.StartsWith(prefix, StringComparison.Ordinal)).ToList();
        }
        foreach (var e in events)
        {
            ct.ThrowIfCancellationRequested();
            yield return e;
        }
        await Task.CompletedTask.ConfigureAwait(false);
    }

    public ValueTask DisposeAsync()
    {
        _hub.Close(new StorageException(StorageErrorCode.Unavailable, "", "The store is closed."));
        return ValueTask.CompletedTask;
    }

    private StoreEntry Current(string key, long expectedRevision)
    {
        if (!_live.TryGetValue(key, out var current))
            throw new StorageException(StorageErrorCode.NotFound, key);
        if (expectedRevision != 0 && current.Revision != expectedRevision)
            throw new StorageException(StorageErrorCode.Conflict, key,
                $"Conflict: {key} is at revision {current.Revision}, not {expectedRevision}.");
        return current;
    }

    // Called under _gate, so the hub sees events in revision order.
    private long Commit(StoreEventType type, StoreEntry entry)
    {
        _undo.Add((entry.Revision, entry.Key, _live.GetValueOrDefault(entry.Key)));
        if (type == StoreEventType.Deleted)
            _live.Remove(entry.Key);
        else
            _live[entry.Key] = entry;
        _revision = entry.Revision;
        var e = new StoreEvent(type, entry);
        _log.Add(e);
        _hub.Publish([e]);
        return entry.Revision;
    }
}
