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
/// Service is kept pointing at the live servers (one beside each API server).
/// </summary>
public sealed partial class ClusterDnsHost : IAsyncDisposable
{
    private static readonly TimeSpan LeaveTimeout = TimeSpan.FromSeconds(5);

    private readonly IKubernetes _writer;
    private readonly ClusterDnsServer _server;
    private readonly IPAddress? _clusterIp;
    private readonly DnsServerLeases? _leases;
    private readonly ILogger _log;
    private readonly CancellationTokenSource _stop;
    private readonly Task _upkeep;

    private ClusterDnsHost(IKubernetes writer, ClusterIndex index, ClusterDnsServer server, IPAddress? clusterIp, DnsServerLeases? leases,
        ILogger log, CancellationTokenSource stop)
    {
        _writer = writer;
        Index = index;
        _server = server;
        _clusterIp = clusterIp;
        _leases = leases;
        _log = log;
        _stop = stop;
        _upkeep = clusterIp is null ? Task.CompletedTask : KeepServiceAsync(writer, clusterIp, server.EndPoint, leases, log, stop.Token);
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
        // Every server beside an API server publishes itself: kube-dns's endpoints list each live one. The Service, its
        // endpoints and the servers' leases are written by the upkeep's own identity, which may write them.
        var writer = serviceWriter ?? client;
        var leases = kubeDnsIp is not null && KubeDnsService.Publishable(server.EndPoint.Address)
            ? new DnsServerLeases(writer, server.EndPoint, DnsServerLeases.DefaultDuration, TimeProvider.System)
            : null;
        return new ClusterDnsHost(writer, index, server, kubeDnsIp, leases, log, stop);
    }

    // The kube-dns Service and endpoints, made right at start and again at every lease renewal (someone may delete them).
    private static async Task KeepServiceAsync(IKubernetes client, IPAddress clusterIp, IPEndPoint server, DnsServerLeases? leases, ILogger log, CancellationToken ct)
    {
        var interval = (leases?.Duration ?? DnsServerLeases.DefaultDuration) / 3;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                // A server on loopback (a single machine) is reached without endpoints, which may not name loopback.
                var servers = leases is null ? [] : await leases.RenewAsync(ct);
                await KubeDnsService.EnsureAsync(client, clusterIp, servers, server.Port, ct);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogServiceFailed(log, e.Message);
            }
            try { await Task.Delay(interval, ct); } catch (OperationCanceledException) { return; }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        await _server.DisposeAsync();
        try { await _upkeep; } catch (OperationCanceledException) { }
        _stop.Dispose();
        if (_leases is not null) await LeaveAsync(_leases);
    }

    // Takes this server out of kube-dns's endpoints at once, rather than when its lease expires; best effort.
    private async Task LeaveAsync(DnsServerLeases leases)
    {
        using var timeout = new CancellationTokenSource(LeaveTimeout);
        try
        {
            var others = await leases.ReleaseAsync(timeout.Token);
            await KubeDnsService.EnsureAsync(_writer, _clusterIp!, others, EndPoint.Port, timeout.Token);
        }
        catch (Exception e)
        {
            LogServiceFailed(_log, e.Message);
        }
    }

    [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "cluster DNS for {Zone} on {EndPoint} (UDP, TCP); upstream resolvers: [{Upstreams}]")]
    private static partial void LogServing(ILogger log, string zone, string endPoint, string upstreams);

    [LoggerMessage(EventId = 11, Level = LogLevel.Warning, Message = "cluster DNS: cannot write the kube-dns Service: {Reason}")]
    private static partial void LogServiceFailed(ILogger log, string reason);
}
