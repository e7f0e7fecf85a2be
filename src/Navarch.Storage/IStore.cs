namespace Navarch.Storage;

/// <summary>
/// A versioned key-value store: the only state of the cluster. Every successful write bumps one
/// cluster-wide revision, which the API server exposes as <c>metadata.resourceVersion</c>.
/// Keys are '/'-separated paths such as <c>/registry/pods/default/web-1</c>. Values are opaque bytes
/// (the API server stores JSON without <c>resourceVersion</c>; it injects the revision on the way out).
/// Implementations translate their own failures into <see cref="StorageException"/> and nothing else.
/// All members are safe to call concurrently.
/// </summary>
public interface IStore : IAsyncDisposable
{
    /// <summary>The revision of the newest write (0 for an empty memory or SQLite store; etcd's revision, which starts at 1).</summary>
    ValueTask<long> GetRevisionAsync(CancellationToken ct = default);

    /// <summary>The current value of <paramref name="key"/>, or null when it does not exist.</summary>
    ValueTask<StoreEntry?> GetAsync(string key, CancellationToken ct = default);

    /// <summary>
    /// Entries whose key starts with <paramref name="prefix"/>, in key order, as of the store's newest
    /// revision or, when <see cref="ListOptions.Revision"/> is set, as of that past revision (etcd's range
    /// with a revision). <see cref="ListOptions.Limit"/> (0 = no limit) and <see cref="ListOptions.After"/>
    /// (return keys strictly greater than it) page through one consistent snapshot when every page after the
    /// first passes the first page's <see cref="StoreList.Revision"/>. Throws <see cref="StorageErrorCode.Compacted"/>
    /// when that revision is below the compacted revision; it must not be above the newest revision.
    /// </summary>
    ValueTask<StoreList> ListAsync(string prefix, ListOptions options, CancellationToken ct = default);

    /// <summary>Creates <paramref name="key"/>; returns the new revision. Throws <see cref="StorageErrorCode.Exists"/> when it exists.
    /// Returns only once the write is durable.</summary>
    ValueTask<long> CreateAsync(string key, ReadOnlyMemory<byte> value, CancellationToken ct = default);

    /// <summary>Replaces <paramref name="key"/> if its current revision equals <paramref name="expectedRevision"/>
    /// (0 = unconditionally); returns the new revision. Throws NotFound when absent, Conflict when the revision differs.
    /// Returns only once the write is durable.</summary>
    ValueTask<long> UpdateAsync(string key, ReadOnlyMemory<byte> value, long expectedRevision, CancellationToken ct = default);

    /// <summary>Deletes <paramref name="key"/> if its current revision equals <paramref name="expectedRevision"/>
    /// (0 = unconditionally); returns the revision of the deletion. Throws NotFound when absent, Conflict when the revision differs.</summary>
    ValueTask<long> DeleteAsync(string key, long expectedRevision, CancellationToken ct = default);

    /// <summary>
    /// Every change under <paramref name="prefix"/> with a revision greater than <paramref name="afterRevision"/>,
    /// in revision order, then live changes until <paramref name="ct"/> is cancelled. Throws (on the first
    /// MoveNext) <see cref="StorageErrorCode.Compacted"/> when <paramref name="afterRevision"/> is older than the
    /// compacted revision. A Deleted event carries the last value and the revision of the deletion.
    /// Cancelling <paramref name="ct"/> ends the enumeration with <see cref="OperationCanceledException"/>.
    /// A watcher that falls too far behind the writers (its bounded buffer overflows), or whose store is
    /// disposed, ends with <see cref="StorageErrorCode.Unavailable"/>: watch again from the last revision
    /// received (or re-list if that fails with Compacted). A watch that has read part of its history from the
    /// backend may also end midway with Compacted when a compaction overtakes it.
    /// A backend whose revision also moves for writes outside the prefix (etcd) may send <see cref="StoreEventType.Progress"/>
    /// events, which carry only a revision, so that a watcher learns it has seen everything up to a revision
    /// <see cref="GetRevisionAsync"/> returned.
    /// </summary>
    IAsyncEnumerable<StoreEvent> WatchAsync(string prefix, long afterRevision, CancellationToken ct = default);

    /// <summary>Forgets the history at or below <paramref name="revision"/> (the newest value of every live key stays).
    /// Watching or reading from a compacted revision then fails with Compacted. A revision above the newest one
    /// compacts up to the newest; one at or below the compacted revision does nothing.</summary>
    ValueTask CompactAsync(long revision, CancellationToken ct = default);

    /// <summary>The oldest revision a watch can still start after.</summary>
    ValueTask<long> GetCompactedRevisionAsync(CancellationToken ct = default);
}

/// <param name="Revision">The revision of the last write to this key (etcd's mod_revision).</param>
/// <param name="CreateRevision">The revision that created this incarnation of the key.</param>
public sealed record StoreEntry(string Key, ReadOnlyMemory<byte> Value, long Revision, long CreateRevision);

/// <param name="Limit">At most this many entries; 0 = all.</param>
/// <param name="After">Only keys strictly greater than this (the previous page's last key); null = from the start.</param>
/// <param name="Revision">Read the entries as they were at this revision; 0 = the newest.</param>
public readonly record struct ListOptions(int Limit = 0, string? After = null, long Revision = 0);

/// <param name="Revision">The store revision this list was read at (<see cref="ListOptions.Revision"/> when that was set).</param>
/// <param name="HasMore">True when <see cref="ListOptions.Limit"/> cut the list short.</param>
public sealed record StoreList(IReadOnlyList<StoreEntry> Entries, long Revision, bool HasMore);

/// <summary>Progress (upstream's bookmark): every change under the watched prefix up to the entry's revision has been sent;
/// its entry has an empty key and value.</summary>
public enum StoreEventType { Created, Updated, Deleted, Progress }

/// <param name="Entry">For Created/Updated the new value; for Deleted the last value, with <see cref="StoreEntry.Revision"/> the deletion's revision;
/// for Progress only the revision.</param>
public sealed record StoreEvent(StoreEventType Type, StoreEntry Entry);

public enum StorageErrorCode { NotFound, Exists, Conflict, Compacted, Unavailable }

/// <summary>The one exception a store throws; the API server maps <see cref="Code"/> to a Status.</summary>
public sealed class StorageException(StorageErrorCode code, string key, string? message = null, Exception? inner = null)
    : Exception(message ?? $"{code}: {key}", inner)
{
    public StorageErrorCode Code { get; } = code;
    public string Key { get; } = key;
}
