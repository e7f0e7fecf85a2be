using System.Globalization;
using System.Text.Json;
using k8s.Models;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Navarch.Api.Resources;
using Navarch.ApiServer.Registry;
using Navarch.Storage;

namespace Navarch.ApiServer.Bootstrap;

/// <summary>Where this API server is reached: what the <c>kubernetes</c> Service's endpoints list for it.</summary>
public sealed record AdvertisedAddress(string Ip, int Port, TimeSpan LeaseTtl)
{
    /// <summary>
    /// The secure port when it is on, so that pods reach the API at https://kubernetes.default.svc with their token, as
    /// upstream (whose endpoints name only the secure port); the insecure port otherwise. The address is the secure port's
    /// own when it names one, else the insecure port's (a lab address), else loopback.
    /// </summary>
    public static (string Ip, int Port) Of(ApiServerOptions options)
    {
        static bool Wildcard(string ip) => ip is "0.0.0.0" or "::";
        if (options.SecurePort > 0 && !Wildcard(options.BindAddress)) return (options.BindAddress, options.SecurePort);
        var ip = Wildcard(options.Bind) ? "127.0.0.1" : options.Bind;
        return (ip, options.SecurePort > 0 ? options.SecurePort : options.InsecurePort);
    }
}

/// <summary>
/// Upstream's lease endpoint reconciler (pkg/controlplane/reconcilers/lease.go): every API server keeps a lease under
/// <c>/registry/masterleases/</c>, renewed every two thirds of its TTL (upstream: 15 s, every 10 s), and writes the
/// <c>kubernetes</c> Endpoints and EndpointSlice from the leases that have not expired. A server that stops removes its
/// lease; one that is killed drops out when its lease expires. The store has no TTLs of its own (SQLite has none), so a
/// lease records when it was renewed and every server deletes those past their TTL.
/// </summary>
public sealed partial class EndpointReconciler(IStore store, ObjectRegistry registry, AdvertisedAddress self, TimeProvider time,
    ILogger<EndpointReconciler> log) : IHostedService
{
    public const string LeasePrefix = "/registry/masterleases/";
    private static readonly WriteOptions Writer = new("navarch-apiserver");
    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;

    private string OwnKey => $"{LeasePrefix}{self.Ip}:{self.Port.ToString(CultureInfo.InvariantCulture)}";

    private sealed record Lease(string Ip, int Port, long RenewedMs, long TtlMs);

    /// <summary>Takes the lease and writes the endpoints once before the server reports ready, then renews in the background.</summary>
    public async Task StartAsync(CancellationToken ct)
    {
        await ReconcileAsync(ct);
        _loop = RunAsync(_stop.Token);
    }

    public async Task StopAsync(CancellationToken ct)
    {
        await _stop.CancelAsync();
        await _loop;
        try
        {
            await store.DeleteAsync(OwnKey, 0, ct);
            await WriteEndpointsAsync(await LiveLeasesAsync(ct), ct);
        }
        catch (Exception e) when (e is StorageException or ApiException or OperationCanceledException)
        {
            LogStopFailed(e.Message); // the lease expires by itself
        }
    }

    private async Task RunAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(self.LeaseTtl * 2 / 3, time);
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                try
                {
                    await ReconcileAsync(ct);
                }
                catch (Exception e) when (e is StorageException or ApiException)
                {
                    LogRoundFailed(e.Message); // the next round tries again
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    /// <summary>Renews this server's lease, deletes expired ones and writes the endpoints when they changed.</summary>
    private async Task ReconcileAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var lease = JsonSerializer.SerializeToUtf8Bytes(new Lease(self.Ip, self.Port, now, (long)self.LeaseTtl.TotalMilliseconds));
        await store.GuaranteedUpdateAsync(OwnKey, _ => ValueTask.FromResult<byte[]?>(lease), ct);
        await WriteEndpointsAsync(await LiveLeasesAsync(ct), ct);
    }

    private async Task<List<Lease>> LiveLeasesAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var live = new List<Lease>();
        foreach (var entry in (await store.ListAsync(LeasePrefix, new ListOptions(), ct)).Entries)
        {
            var lease = Parse(entry.Value.Span);
            if (lease is not null && lease.RenewedMs + lease.TtlMs > now)
            {
                live.Add(lease);
                continue;
            }
            try
            {
                await store.DeleteAsync(entry.Key, entry.Revision, ct); // only if nobody renewed it meanwhile
            }
            catch (StorageException e) when (e.Code is StorageErrorCode.Conflict or StorageErrorCode.NotFound)
            {
            }
        }
        return live;
    }

    private static Lease? Parse(ReadOnlySpan<byte> json)
    {
        try
        {
            return JsonSerializer.Deserialize<Lease>(json);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private async Task WriteEndpointsAsync(List<Lease> leases, CancellationToken ct)
    {
        // One subset per port (servers usually share one), addresses in order, so equal sets give equal objects.
        var subsets = leases.GroupBy(l => l.Port).OrderBy(g => g.Key).Select(g => new V1EndpointSubset
        {
            Addresses = g.Select(l => l.Ip).Distinct().Order(StringComparer.Ordinal).Select(ip => new V1EndpointAddress { Ip = ip }).ToList(),
            Ports = [new Corev1EndpointPort { Name = "https", Port = g.Key, Protocol = "TCP" }],
        }).ToList();
        await UpsertAsync(ResourceCatalog.Endpoints, new V1Endpoints
        {
            Metadata = new V1ObjectMeta { Name = "kubernetes", Labels = new Dictionary<string, string> { ["endpointslice.kubernetes.io/skip-mirror"] = "true" } },
            Subsets = subsets.Count == 0 ? null : subsets,
        }, ct);
        var first = subsets.FirstOrDefault(); // a slice has one set of ports
        await UpsertAsync(ResourceCatalog.EndpointSlices, new V1EndpointSlice
        {
            Metadata = new V1ObjectMeta
            {
                Name = "kubernetes",
                Labels = new Dictionary<string, string>
                {
                    ["kubernetes.io/service-name"] = "kubernetes",
                    ["endpointslice.kubernetes.io/managed-by"] = "endpointslicemirroring-controller.k8s.io",
                },
            },
            AddressType = "IPv4",
            Endpoints = first?.Addresses.Select(a => new V1Endpoint { Addresses = [a.Ip], Conditions = new V1EndpointConditions { Ready = true } }).ToList() ?? [],
            Ports = first is null ? null : [new Discoveryv1EndpointPort { Name = "https", Port = first.Ports[0].Port, Protocol = "TCP" }],
        }, ct);
    }

    /// <summary>Writes <paramref name="wanted"/> (the registry skips the write when nothing changed).</summary>
    private async Task UpsertAsync(ResourceType rt, k8s.IKubernetesObject<V1ObjectMeta> wanted, CancellationToken ct)
    {
        var json = ObjectRegistry.ToJson(wanted);
        await registry.UpdateAsync(rt, "default", wanted.Metadata.Name, current =>
        {
            var next = ObjectRegistry.FromJson(rt, json.DeepClone().AsObject());
            if (current is not null) next.Metadata.ResourceVersion = null;
            return next;
        }, Writer with { SkipValidation = true }, allowCreate: true, ct);
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "endpoint reconciler: round failed: {Reason}")]
    private partial void LogRoundFailed(string reason);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "endpoint reconciler: could not remove this server's lease on stop: {Reason}")]
    private partial void LogStopFailed(string reason);
}
