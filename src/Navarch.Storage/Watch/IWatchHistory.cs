namespace Navarch.Storage.Watch;

/// <summary>
/// Where a watch finds the events that happened before it subscribed to live ones: the backend's own log.
/// </summary>
internal interface IWatchHistory
{
    /// <summary>The oldest revision a watch can start after; a cheap in-memory read.</summary>
    long CompactedRevision { get; }

    /// <summary>
    /// Events under <paramref name="prefix"/> with <paramref name="afterRevision"/> &lt; revision &lt;=
    /// <paramref name="upToRevision"/>, in revision order. Throws <see cref="StorageErrorCode.Compacted"/>
    /// as soon as part of that range has been compacted away, even midway.
    /// </summary>
    IAsyncEnumerable<StoreEvent> ReadAsync(string prefix, long afterRevision, long upToRevision, CancellationToken ct);
}
