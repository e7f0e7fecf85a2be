using System.Net;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Navarch.Client.Informers;
using Navarch.Dns.Records;
using Navarch.Dns.Serving;

namespace Navarch.Dns.Hosting;

/// <summary>
/// Cluster DNS as one role of a process: informers on Services, EndpointSlices and Pods (over the API, like every
/// component) feed a <see cref="ClusterIndex"/>; a <see cref="ClusterDnsServer"/> answers from it; and the kube-dns
/// Service is kept pointing at the server.
/// </summary>
public sealed partial class ClusterDnsHost : IAsyncDisposable
{
    private static readonly TimeSpan EnsureInterval = TimeSpan.FromSeconds(30);

    private readonly ClusterDnsServer _server;
    private readonly CancellationTokenSource _stop;
    private readonly Task _upkeep;

    private ClusterDnsHost(ClusterIndex index, ClusterDnsServer server, CancellationTokenSource stop, Task upkeep)
    {
        Index = index;
        _server = server;
        _stop = stop;
        _upkeep = upkeep;
    }

    public ClusterIndex Index { get; }

    /// <summary>Where the server answers.</summary>
    public IPEndPoint EndPoint => _server.EndPoint;

    /// <summary>
    /// Starts the informers and the server, and returns once the first lists are in the index (so no name is answered
    /// NXDOMAIN for want of a list). <paramref name="kubeDnsIp"/>, when given, gets the kube-dns Service, written with
    /// <paramref name="serviceWriter"/> (default <paramref name="client"/>): the reads need only upstream's system:coredns role.
    /// </summary>
    public static async Task<ClusterDnsHost> StartAsync(IKubernetes client, ClusterDnsOptions options, IPAddress? kubeDnsIp,
        ILoggerFactory loggers, CancellationToken ct, IKubernetes? serviceWriter = null)
    {
        options.Validate();
        var log = loggers.CreateLogger<ClusterDnsHost>();
        var index = new ClusterIndex(options.Zone, options.Ttl);
        var informers = new SharedInformers(client, TimeSpan.Zero, loggers: loggers);
        informers.Services.AddHandlers(new EventHandlers<V1Service>
        {
            OnAdd = index.SetService, OnUpdate = (_, s) => index.SetService(s), OnDelete = index.RemoveService,
        });
        informers.EndpointSlices.AddHandlers(new EventHandlers<V1EndpointSlice>
        {
            OnAdd = index.SetSlice, OnUpdate = (_, s) => index.SetSlice(s), OnDelete = index.RemoveSlice,
        });
        informers.Pods.AddHandlers(new EventHandlers<V1Pod>
        {
            OnAdd = index.SetPod, OnUpdate = (_, p) => index.SetPod(p), OnDelete = index.RemovePod,
        });
        var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        await informers.StartAsync(stop.Token);
        await Task.WhenAll(
            informers.Services.WaitForSyncAsync(ct),
            informers.EndpointSlices.WaitForSyncAsync(ct),
            informers.Pods.WaitForSyncAsync(ct));

        var zone = new ZoneResolver(index) { NameServerAddress = kubeDnsIp };
        var handler = new QueryHandler(zone, new UpstreamForwarder(options.Upstreams, options.ForwardTimeout));
        var server = ClusterDnsServer.Start(options.Address, options.Port, handler, log);
        LogServing(log, options.ClusterDomain, server.EndPoint.ToString(), string.Join(", ", options.Upstreams));
        var upkeep = kubeDnsIp is null ? Task.CompletedTask : KeepServiceAsync(serviceWriter ?? client, kubeDnsIp, server.EndPoint, log, stop.Token);
        return new ClusterDnsHost(index, server, stop, upkeep);
    }

    // The kube-dns Service and endpoints, made right at start and again every EnsureInterval (someone may delete them).
    private static async Task KeepServiceAsync(IKubernetes client, IPAddress clusterIp, IPEndPoint server, ILogger log, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await KubeDnsService.EnsureAsync(client, clusterIp, server, ct);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogServiceFailed(log, e.Message);
            }
            try { await Task.Delay(EnsureInterval, ct); } catch (OperationCanceledException) { return; }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        await _server.DisposeAsync();
        try { await _upkeep; } catch (OperationCanceledException) { }
        _stop.Dispose();
    }

    [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "cluster DNS for {Zone} on {EndPoint} (UDP, TCP); upstream resolvers: [{Upstreams}]")]
    private static partial void LogServing(ILogger log, string zone, string endPoint, string upstreams);

    [LoggerMessage(EventId = 11, Level = LogLevel.Warning, Message = "cluster DNS: cannot write the kube-dns Service: {Reason}")]
    private static partial void LogServiceFailed(ILogger log, string reason);
}
