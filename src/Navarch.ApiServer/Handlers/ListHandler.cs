using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Navarch.Api.Printing;
using Navarch.Api.Resources;
using Navarch.ApiServer.Http;
using Navarch.ApiServer.Registry;
using Navarch.ApiServer.Storage;
using Navarch.ApiServer.Watching;
using Navarch.Storage;

namespace Navarch.ApiServer.Handlers;

/// <summary>GET of a collection: a snapshot of the watch cache, filtered, paged, as a list or a Table.</summary>
public sealed class ListHandler(WatchCache cache, IStore store, TimeProvider time)
{
    private const string ContinueTooOld =
        "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.";
    private const int PastPageChunk = 500;

    public async Task HandleAsync(HttpContext ctx, RequestInfo info, QueryOptions q)
    {
        var rt = info.Resource;
        var filter = new ObjectFilter(rt, info.Namespace, q.LabelSelector, q.FieldSelector);
        ContinueToken? from = q.Continue is null ? null : ContinueToken.Decode(q.Continue);
        if (from is not null && from.Revision < await store.GetCompactedRevisionAsync(ctx.RequestAborted))
            throw ApiException.Gone(ContinueTooOld);

        await WaitForResourceVersionAsync(q, ctx.RequestAborted);
        var (objects, revision) = cache.Snapshot(rt);
        var prefix = ObjectKeys.Prefix(rt, filter.Namespace);
        // A later page reads the store at the first page's revision (the cache holds only the present), unless nothing
        // has changed since: objects written between the pages stay out, as with upstream's etcd list.
        var page = from is not null && from.Revision != revision
            ? await ReadPastPageAsync(rt, prefix, from, filter, q.Limit, ctx.RequestAborted)
            : CachePage(objects, prefix, from?.StartAfter, filter, q.Limit);
        var items = page.Items;
        var listRevision = from?.Revision ?? revision;
        var token = page.Last is not null && page.HasMore ? new ContinueToken(listRevision, page.Last).Encode() : null;
        // Upstream documents remainingItemCount as an estimate: after a past page, the present count of what follows.
        long? more = token is null ? null : page.Remaining ?? CachePage(objects, prefix, page.Last, filter, 0).Items.Count;

        if (MediaTypes.WantsTable(ctx.Request))
        {
            var table = TablePrinter.Print(rt, items.Select(i => i.Object).ToList(), time.GetUtcNow(), IncludeObjectMode.From(q.IncludeObject), withColumnDefinitions: true);
            var meta = new JsonObject { ["resourceVersion"] = Rv(listRevision) };
            if (token is not null) { meta["continue"] = token; meta["remainingItemCount"] = more; }
            table["metadata"] = meta;
            await Responses.WriteJsonAsync(ctx, 200, table);
            return;
        }

        // Items are spliced from the cached JSON of each object: a list of 10,000 pods encodes nothing again.
        using var body = new MemoryStream();
        var header = new StringBuilder()
            .Append("{\"kind\":\"").Append(rt.ListKind).Append("\",\"apiVersion\":\"").Append(rt.ApiVersion)
            .Append("\",\"metadata\":{\"resourceVersion\":\"").Append(Rv(listRevision)).Append('"');
        if (token is not null) header.Append(",\"continue\":\"").Append(token).Append("\",\"remainingItemCount\":").Append(more);
        header.Append("},\"items\":[");
        body.Write(Encoding.UTF8.GetBytes(header.ToString()));
        for (var i = 0; i < items.Count; i++)
        {
            if (i > 0) body.WriteByte((byte)',');
            body.Write(items[i].Json);
        }
        body.Write("]}"u8);
        await Responses.WriteBytesAsync(ctx, 200, body.GetBuffer().AsMemory(0, (int)body.Length));
    }

    /// <param name="Remaining">How many matching objects follow the page, when counted (upstream's remainingItemCount).</param>
    private sealed record Page(List<CachedObject> Items, string? Last, bool HasMore, long? Remaining);

    private static Page CachePage(IEnumerable<KeyValuePair<string, CachedObject>> objects, string prefix, string? startAfter, ObjectFilter filter, int limit)
    {
        var items = new List<CachedObject>();
        string? last = null;
        var more = 0L;
        foreach (var (key, obj) in objects)
        {
            if (!key.StartsWith(prefix, StringComparison.Ordinal)) continue;
            if (startAfter is not null && string.CompareOrdinal(key, startAfter) <= 0) continue;
            if (!filter.Matches(obj)) continue;
            if (limit > 0 && items.Count >= limit) { more++; continue; }
            items.Add(obj);
            last = key;
        }
        return new Page(items, last, more > 0, more);
    }

    /// <summary>The page after <paramref name="from"/> as the store held it at the token's revision, read in chunks until the
    /// page is full; how many follow is not counted here.</summary>
    private async Task<Page> ReadPastPageAsync(ResourceType rt, string prefix, ContinueToken from, ObjectFilter filter, int limit, CancellationToken ct)
    {
        var items = new List<CachedObject>();
        string? last = null;
        var after = from.StartAfter;
        var chunk = limit > 0 ? Math.Min(limit + 1, PastPageChunk) : PastPageChunk;
        while (true)
        {
            StoreList stored;
            try
            {
                stored = await store.ListAsync(prefix, new ListOptions(chunk, after, from.Revision), ct);
            }
            catch (StorageException e) when (e.Code == StorageErrorCode.Compacted)
            {
                throw ApiException.Gone(ContinueTooOld);
            }
            foreach (var entry in stored.Entries)
            {
                var obj = WatchCache.Cached(rt, entry);
                if (!filter.Matches(obj)) continue;
                if (limit > 0 && items.Count >= limit) return new Page(items, last, true, null);
                items.Add(obj);
                last = entry.Key;
            }
            if (!stored.HasMore) return new Page(items, last, false, null);
            after = stored.Entries[^1].Key;
        }
    }

    /// <summary>resourceVersion "0" reads whatever the cache has; "" a consistent read; "N" a read no older than N.</summary>
    private async Task WaitForResourceVersionAsync(QueryOptions q, CancellationToken ct)
    {
        if (q.Continue is not null || q.ResourceVersion == "0") return;
        if (q.ResourceVersion is null) { await cache.WaitUntilFreshAsync(ct); return; }
        if (!long.TryParse(q.ResourceVersion, NumberStyles.None, CultureInfo.InvariantCulture, out var rv))
            throw ApiException.BadRequest($"invalid resource version \"{q.ResourceVersion}\"");
        if (q.ResourceVersionMatch == "Exact" && rv != cache.ProcessedRevision)
            throw ApiException.Gone($"too old resource version: {rv} ({cache.ProcessedRevision})");
        await cache.WaitForRevisionAsync(rv, ct);
    }

    private static string Rv(long r) => r.ToString(CultureInfo.InvariantCulture);
}
