using System.Runtime.CompilerServices;
using Navarch.Storage.Watch;

namespace Navarch.Storage.Sqlite;

/// <summary>Watch history read from the kv table, page by page, for watchers older than the in-memory ring.</summary>
internal sealed class SqliteHistory(SqliteReads reads, Func<long> compactedRevision) : IWatchHistory
{
    private const int PageSize = 500;

    public long CompactedRevision => compactedRevision();

    public async IAsyncEnumerable<StoreEvent> ReadAsync(string prefix, long afterRevision, long upToRevision,
        [EnumeratorCancellation] CancellationToken ct)
    {
        var last = afterRevision;
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            var (compacted, page) = await Task.Run(
                () => SqliteErrors.Translate(prefix, () => reads.History(prefix, last, upToRevision, PageSize)), ct).ConfigureAwait(false);
            // A compaction past the last event delivered may have removed rows this watcher still needs.
            if (last < compacted)
                throw WatchHub.Compacted(prefix, last, compacted);
            foreach (var e in page)
                yield return e;
            if (page.Count < PageSize)
                yield break;
            last = page[^1].Entry.Revision;
        }
    }
}
