using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using k8s;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Navarch.Api.Printing;
using Navarch.ApiServer.Http;
using Navarch.ApiServer.Registry;
using Navarch.ApiServer.Watching;
using Navarch.Storage;

namespace Navarch.ApiServer.Handlers;

/// <summary>
/// <c>watch=true</c>: a chunked stream of newline-delimited events from the watch cache, as plain objects or
/// one-row Tables; bookmarks when asked; an ERROR event with a 410 Status when the resourceVersion is too old.
/// When the server stops, every watch ends as at its timeout: the stream closes cleanly and clients watch again elsewhere.
/// </summary>
public sealed class WatchHandler(WatchCache cache, IStore store, TimeProvider time, WatchOptions options, IHostApplicationLifetime lifetime)
{
    /// <summary>The longest a timer can wait (CancelAfter refuses more); a timeoutSeconds past it means "for ever" anyway.</summary>
    private static readonly TimeSpan MaxTimeout = TimeSpan.FromMilliseconds(int.MaxValue);

    public async Task HandleAsync(HttpContext ctx, RequestInfo info, QueryOptions q)
    {
        var rt = info.Resource;
        var fieldSelector = q.FieldSelector;
        if (info.Name is not null)
            fieldSelector = string.IsNullOrEmpty(fieldSelector) ? $"metadata.name={info.Name}" : $"{fieldSelector},metadata.name={info.Name}";
        var filter = new ObjectFilter(rt, info.Namespace, q.LabelSelector, fieldSelector);
        var asTable = MediaTypes.WantsTable(ctx.Request);
        var include = asTable ? IncludeObjectMode.From(q.IncludeObject) : IncludeObject.Object;

        long? after = null;
        if (!string.IsNullOrEmpty(q.ResourceVersion) && q.ResourceVersion != "0")
        {
            if (!long.TryParse(q.ResourceVersion, NumberStyles.None, CultureInfo.InvariantCulture, out var rv))
                throw ApiException.BadRequest($"invalid resource version \"{q.ResourceVersion}\"");
            after = rv;
        }
        // sendInitialEvents=true replays the current state whatever the resourceVersion says.
        var initialEvents = q.SendInitialEvents == true || after is null;
        if (initialEvents) after = null;
        if (after is { } wanted && wanted > cache.ProcessedRevision) await cache.WaitForRevisionAsync(wanted, ctx.RequestAborted);

        var compacted = await store.GetCompactedRevisionAsync(ctx.RequestAborted);
        var watcher = cache.Watch(rt, after, compacted, filter.Matches, out var oldest, out var startRevision);

        ctx.Response.StatusCode = 200;
        ctx.Response.ContentType = asTable ? "application/json;as=Table;v=v1;g=meta.k8s.io" : MediaTypes.Json;
        ctx.Response.Headers.CacheControl = "no-cache, private";
        await ctx.Response.StartAsync(ctx.RequestAborted);
        await ctx.Response.Body.FlushAsync(ctx.RequestAborted);

        if (watcher is null)
        {
            var gone = ApiException.Gone($"too old resource version: {after} ({oldest})");
            await WriteEventAsync(ctx, "ERROR", Encoding.UTF8.GetBytes(StatusJson.Serialize(gone.ToStatus())));
            return;
        }

        var timeout = TimeSpan.FromSeconds(q.TimeoutSeconds is > 0 ? q.TimeoutSeconds.Value
            : options.MinRequestTimeoutSeconds * (1 + Random.Shared.NextDouble()));
        if (timeout > MaxTimeout) timeout = MaxTimeout;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ctx.RequestAborted, lifetime.ApplicationStopping);
        deadline.CancelAfter(timeout);
        var ct = deadline.Token;
        var firstTableEvent = true;
        var initialPending = initialEvents && q.SendInitialEvents == true;
        var initialCount = initialEvents ? watcher.Events.Count : 0;
        try
        {
            var reader = watcher.Events;
            while (!ct.IsCancellationRequested)
            {
                while (reader.TryRead(out var e))
                {
                    var bytes = asTable ? TableRow(rt, e, include, firstTableEvent) : e.Object.Json;
                    firstTableEvent = false;
                    await WriteEventAsync(ctx, Name(e.Type), bytes, flush: false);
                    if (initialPending && --initialCount <= 0)
                    {
                        await WriteBookmarkAsync(ctx, rt, startRevision, initialEventsEnd: true);
                        initialPending = false;
                    }
                }
                if (initialPending)
                {
                    await WriteBookmarkAsync(ctx, rt, startRevision, initialEventsEnd: true);
                    initialPending = false;
                }
                await ctx.Response.Body.FlushAsync(ct);

                // Read the revision before looking at the queue: an empty queue then proves every event up
                // to it was sent, so a bookmark at it is safe.
                var safeRevision = cache.ProcessedRevision;
                using var idle = CancellationTokenSource.CreateLinkedTokenSource(ct);
                idle.CancelAfter(options.BookmarkInterval);
                bool more;
                try
                {
                    more = await reader.WaitToReadAsync(idle.Token);
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                    if (q.AllowWatchBookmarks && !reader.TryPeek(out _)) await WriteBookmarkAsync(ctx, rt, safeRevision, false);
                    continue;
                }
                if (!more) break;
            }
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            watcher.Dispose();
        }
    }

    private static string Name(CacheEventType t) => t switch
    {
        CacheEventType.Added => "ADDED",
        CacheEventType.Modified => "MODIFIED",
        _ => "DELETED",
    };

    private byte[] TableRow(Api.Resources.ResourceType rt, CacheEvent e, IncludeObject include, bool withColumns)
    {
        var table = TablePrinter.Print(rt, [e.Object.Object], time.GetUtcNow(), include, withColumns);
        table["metadata"] = new JsonObject { ["resourceVersion"] = e.Revision.ToString(CultureInfo.InvariantCulture) };
        return Encoding.UTF8.GetBytes(table.ToJsonString(Responses.Plain));
    }

    private static async Task WriteBookmarkAsync(HttpContext ctx, Api.Resources.ResourceType rt, long revision, bool initialEventsEnd)
    {
        var meta = new JsonObject { ["resourceVersion"] = revision.ToString(CultureInfo.InvariantCulture) };
        if (initialEventsEnd) meta["annotations"] = new JsonObject { ["k8s.io/initial-events-end"] = "true" };
        var obj = new JsonObject { ["kind"] = rt.Kind, ["apiVersion"] = rt.ApiVersion, ["metadata"] = meta };
        await WriteEventAsync(ctx, "BOOKMARK", Encoding.UTF8.GetBytes(obj.ToJsonString()));
    }

    private static async Task WriteEventAsync(HttpContext ctx, string type, byte[] obj, bool flush = true)
    {
        var head = Encoding.UTF8.GetBytes($"{{\"type\":\"{type}\",\"object\":");
        var body = ctx.Response.Body;
        await body.WriteAsync(head);
        await body.WriteAsync(obj);
        await body.WriteAsync("}\n"u8.ToArray());
        if (flush) await body.FlushAsync();
    }
}

/// <param name="MinRequestTimeoutSeconds">A watch without timeoutSeconds lasts between this and twice this (upstream: 1800).</param>
/// <param name="BookmarkInterval">How long a watch may stay idle before a BOOKMARK (when asked for).</param>
public sealed record WatchOptions(double MinRequestTimeoutSeconds, TimeSpan BookmarkInterval);
