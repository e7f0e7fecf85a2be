using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Navarch.Api.Printing;
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

        var items = new List<CachedObject>();
        string? last = null;
        var more = 0L;
        foreach (var (key, obj) in objects)
        {
            if (!key.StartsWith(prefix, StringComparison.Ordinal)) continue;
            if (from is not null && string.CompareOrdinal(key, from.StartAfter) <= 0) continue;
            if (!filter.Matches(obj)) continue;
            if (q.Limit > 0 && items.Count >= q.Limit) { more++; continue; }
            items.Add(obj);
            last = key;
        }
        var listRevision = from?.Revision ?? revision;
        var token = more > 0 && last is not null ? new ContinueToken(listRevision, last).Encode() : null;

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
