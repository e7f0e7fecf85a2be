using System.Globalization;
using System.Text;
using k8s.Models;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Navarch.Api.Bootstrap;
using Navarch.Api.Resources;
using Navarch.ApiServer.Authentication;
using Navarch.ApiServer.Registry;
using Navarch.ApiServer.Watching;

namespace Navarch.ApiServer.Bootstrap;

/// <summary>
/// Upstream's bootstrapsigner controller: keeps <c>kube-public/cluster-info</c>'s <c>jws-kubeconfig-ID</c> entries equal
/// to the signatures of its kubeconfig by every kube-system bootstrap token with <c>usage-bootstrap-signing: "true"</c>
/// that has not expired (see <see cref="ClusterInfoSignature"/>), and drops the others. It runs whenever such a Secret or
/// the ConfigMap changes (watch cache events) and when the next token expires.
/// </summary>
public sealed partial class BootstrapSigner(WatchCache cache, ObjectRegistry registry, TimeProvider time, ILogger<BootstrapSigner> log) : IHostedService
{
    private static readonly WriteOptions Writer = new("bootstrap-signer");
    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;

    public Task StartAsync(CancellationToken ct)
    {
        _loop = Task.Run(() => RunAsync(_stop.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken ct)
    {
        await _stop.CancelAsync();
        try { await _loop; } catch (OperationCanceledException) { }
    }

    private static bool IsTokenSecret(CachedObject o) =>
        o.Object is V1Secret { Type: BootstrapTokenAuthenticator.SecretType } s && s.Metadata.NamespaceProperty == "kube-system";

    private static bool IsClusterInfo(CachedObject o) =>
        o.Object is V1ConfigMap m && m.Metadata.NamespaceProperty == ClusterInfo.Namespace && m.Metadata.Name == ClusterInfo.Name;

    private async Task RunAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            // Watchers end when they fall behind or the cache starts over: then watch again from the current state.
            var secrets = cache.Watch(ResourceCatalog.Secrets, null, 0, IsTokenSecret, out _, out _)!;
            var maps = cache.Watch(ResourceCatalog.ConfigMaps, null, 0, IsClusterInfo, out _, out _)!;
            try
            {
                while (true)
                {
                    Drain(secrets);
                    Drain(maps);
                    if (secrets.Events.Completion.IsCompleted || maps.Events.Completion.IsCompleted) break;
                    var nextExpiry = await SignAsync(ct);
                    await WaitForChangeAsync(secrets, maps, nextExpiry, ct);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                LogFailed(e.Message);
                await Task.Delay(TimeSpan.FromSeconds(1), time, ct);
            }
            finally
            {
                secrets.Dispose();
                maps.Dispose();
            }
        }
    }

    private static void Drain(Watcher watcher)
    {
        while (watcher.Events.TryRead(out _)) { }
    }

    private async Task WaitForChangeAsync(Watcher secrets, Watcher maps, DateTimeOffset? nextExpiry, CancellationToken ct)
    {
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var waits = new List<Task> { secrets.Events.WaitToReadAsync(wait.Token).AsTask(), maps.Events.WaitToReadAsync(wait.Token).AsTask() };
        if (nextExpiry is { } at) waits.Add(Task.Delay(TimeSpan.FromTicks(Math.Max(0, (at - time.GetUtcNow()).Ticks)), time, wait.Token));
        await Task.WhenAny(waits);
        await wait.CancelAsync();
        // The channels allow one reader: let the cancelled waits finish before the next round reads.
        try { await Task.WhenAll(waits); } catch (OperationCanceledException) { }
        ct.ThrowIfCancellationRequested();
    }

    /// <summary>Brings the signatures up to date; returns when the earliest signing token expires, if any does.</summary>
    private async Task<DateTimeOffset?> SignAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var tokens = new Dictionary<string, string>(StringComparer.Ordinal);
        DateTimeOffset? nextExpiry = null;
        foreach (var o in cache.Snapshot(ResourceCatalog.Secrets).Objects.Values.Where(IsTokenSecret))
        {
            var secret = (V1Secret)o.Object;
            string? Field(string key) => secret.Data?.TryGetValue(key, out var v) == true ? Encoding.UTF8.GetString(v) : null;
            if (Field("usage-bootstrap-signing") != "true" || Field("token-id") is not { } id || Field("token-secret") is not { } value) continue;
            if (!ClusterInfoSignature.IsTokenId(id) || secret.Metadata.Name != BootstrapTokenAuthenticator.SecretPrefix + id) continue;
            if (Field("expiration") is { } expiration)
            {
                if (!DateTimeOffset.TryParse(expiration, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var until) || until <= now) continue;
                if (nextExpiry is null || until < nextExpiry) nextExpiry = until;
            }
            tokens[id] = value;
        }
        var current = cache.Snapshot(ResourceCatalog.ConfigMaps).Objects.Values.Where(IsClusterInfo).Select(o => (V1ConfigMap)o.Object).FirstOrDefault();
        if (current is null || Wanted(current, tokens) is not { } wanted) return nextExpiry;
        await registry.UpdateAsync(ResourceCatalog.ConfigMaps, ClusterInfo.Namespace, ClusterInfo.Name, obj =>
        {
            var map = (V1ConfigMap)obj!;
            map.Data = Wanted(map, tokens) ?? map.Data;
            return map;
        }, Writer, allowCreate: false, ct);
        return nextExpiry;
    }

    /// <summary>The ConfigMap's data with the right signatures, or null when it has them already (or has no kubeconfig to sign).</summary>
    private static Dictionary<string, string>? Wanted(V1ConfigMap map, IReadOnlyDictionary<string, string> tokens)
    {
        if (map.Data?.TryGetValue(ClusterInfo.KubeconfigKey, out var content) != true) return null;
        var data = map.Data.Where(e => !e.Key.StartsWith(ClusterInfoSignature.KeyPrefix, StringComparison.Ordinal)).ToDictionary();
        foreach (var (id, secret) in tokens) data[ClusterInfoSignature.KeyPrefix + id] = ClusterInfoSignature.Compute(content!, id, secret);
        var same = data.Count == map.Data.Count && data.All(e => map.Data.TryGetValue(e.Key, out var v) && v == e.Value);
        return same ? null : data;
    }

    [LoggerMessage(EventId = 1, EventName = "BootstrapSignerFailed", Level = LogLevel.Warning, Message = "signing cluster-info failed: {Reason}")]
    private partial void LogFailed(string reason);
}
