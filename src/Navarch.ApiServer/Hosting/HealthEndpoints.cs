using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace Navarch.ApiServer.Hosting;

/// <summary>One named health check: null when healthy, else why not (logged, and shown only on the check's own path).</summary>
public sealed record HealthCheck(string Name, Func<CancellationToken, ValueTask<string?>> Run);

/// <summary>
/// <c>/healthz</c>, <c>/livez</c> and <c>/readyz</c> as upstream serves them (k8s.io/apiserver/pkg/server/healthz):
/// "ok" while every check passes; with <c>?verbose</c> one line per check and "NAME check passed"; on a failure
/// 500 with every check listed (<c>[-]etcd failed: reason withheld</c>) and "NAME check failed". <c>?exclude=CHECK</c>
/// skips a check, and <c>/readyz/CHECK</c> runs one alone, naming the reason.
/// </summary>
public static partial class HealthEndpoints
{
    // A check that hangs (a store stuck on a lock) must fail the probe rather than hold it.
    private static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(3);

    public static void Map(IEndpointRouteBuilder app, string path, IReadOnlyList<HealthCheck> checks, ILogger log)
    {
        var name = path.TrimStart('/');
        app.MapGet(path, ctx => RootAsync(ctx, name, checks, log));
        foreach (var check in checks)
            app.MapGet($"{path}/{check.Name}", async ctx =>
            {
                var failure = await RunAsync(check, ctx.RequestAborted);
                await TextAsync(ctx, failure is null ? 200 : 500, failure is null ? "ok" : $"internal server error: {failure}\n");
            });
    }

    private static async Task RootAsync(HttpContext ctx, string name, IReadOnlyList<HealthCheck> checks, ILogger log)
    {
        var excluded = new HashSet<string>(ctx.Request.Query["exclude"].Where(e => !string.IsNullOrEmpty(e))!, StringComparer.Ordinal);
        var listing = new StringBuilder();
        var failures = new List<string>();
        foreach (var check in checks)
        {
            if (excluded.Remove(check.Name))
            {
                listing.Append($"[+]{check.Name} excluded: ok\n");
                continue;
            }
            if (await RunAsync(check, ctx.RequestAborted) is { } failure)
            {
                // The reason stays out of the public answer, as upstream keeps it; the log has it.
                listing.Append($"[-]{check.Name} failed: reason withheld\n");
                failures.Add($"{check.Name}: {failure}");
            }
            else
            {
                listing.Append($"[+]{check.Name} ok\n");
            }
        }
        if (excluded.Count > 0)
            listing.Append($"warn: some health checks cannot be excluded: no matches for {string.Join(",", excluded.Order().Select(e => $"\"{e}\""))}\n");
        if (failures.Count > 0)
        {
            LogCheckFailed(log, name, string.Join("; ", failures));
            await TextAsync(ctx, 500, $"{listing}{name} check failed\n");
            return;
        }
        await TextAsync(ctx, 200, ctx.Request.Query.ContainsKey("verbose") ? $"{listing}{name} check passed\n" : "ok");
    }

    private static async Task<string?> RunAsync(HealthCheck check, CancellationToken aborted)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        timeout.CancelAfter(CheckTimeout);
        try
        {
            return await check.Run(timeout.Token).AsTask().WaitAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (!aborted.IsCancellationRequested)
        {
            return $"no answer within {CheckTimeout.TotalSeconds:0} s";
        }
    }

    private static Task TextAsync(HttpContext ctx, int code, string text)
    {
        ctx.Response.StatusCode = code;
        ctx.Response.ContentType = "text/plain; charset=utf-8";
        ctx.Response.Headers.XContentTypeOptions = "nosniff";
        return ctx.Response.WriteAsync(text);
    }

    [LoggerMessage(EventId = 1, EventName = "HealthCheckFailed", Level = LogLevel.Information, Message = "{Name} check failed: {Failures}")]
    private static partial void LogCheckFailed(ILogger log, string name, string failures);
}
