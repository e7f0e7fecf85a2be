using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Navarch.ApiServer.Http;
using Navarch.ApiServer.Registry;
using Navarch.Storage;

namespace Navarch.ApiServer.Hosting;

/// <summary>Maps every failure at the edge to a Status body (never a stack trace) and records metrics.</summary>
public sealed partial class ErrorHandling(RequestDelegate next, ILogger<ErrorHandling> log)
{
    public async Task InvokeAsync(HttpContext ctx)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            await next(ctx);
        }
        catch (OperationCanceledException) when (ctx.RequestAborted.IsCancellationRequested)
        {
            return;
        }
        catch (Exception e)
        {
            var error = e switch
            {
                ApiException api => api,
                StorageException { Code: StorageErrorCode.Unavailable } s => new ApiException(503, "ServiceUnavailable", $"storage is unavailable: {s.Message}"),
                StorageException { Code: StorageErrorCode.Compacted } => ApiException.Gone("The resourceVersion for the provided list is too old."),
                Microsoft.AspNetCore.Http.BadHttpRequestException bad => ApiException.BadRequest(bad.Message),
                _ => null,
            };
            if (error is null)
            {
                LogUnexpected(e, ctx.Request.Method, ctx.Request.Path);
                error = new ApiException(500, "InternalError", $"Internal error occurred: {e.Message}");
            }
            if (ctx.Response.HasStarted) return;
            // Warnings (admission's) stay: upstream sends them with errors too.
            var warnings = ctx.Response.Headers.Warning;
            ctx.Response.Clear();
            if (warnings.Count > 0) ctx.Response.Headers.Warning = warnings;
            await Responses.WriteStatusAsync(ctx, error);
        }
        finally
        {
            Record(ctx, Stopwatch.GetElapsedTime(started));
        }
    }

    private static void Record(HttpContext ctx, TimeSpan elapsed)
    {
        var info = ctx.Items[typeof(RequestInfo)] as RequestInfo;
        var verb = ctx.Items["verb"] as string ?? ctx.Request.Method;
        var group = info?.Resource.Group ?? "";
        var resource = info?.Resource.Plural ?? "";
        var sub = info?.Subresource ?? "";
        ApiMetrics.Requests.WithLabels(verb, group, resource, sub, ctx.Response.StatusCode.ToString(System.Globalization.CultureInfo.InvariantCulture)).Inc();
        if (verb != "WATCH") ApiMetrics.Latency.WithLabels(verb, group, resource, sub).Observe(elapsed.TotalSeconds);
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Error, Message = "unexpected error serving {Method} {Path}")]
    private partial void LogUnexpected(Exception e, string method, string path);
}
