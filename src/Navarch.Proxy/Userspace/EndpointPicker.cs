using System.Diagnostics.CodeAnalysis;
using System.Net;

namespace Navarch.Proxy.Userspace;

/// <summary>
/// Chooses the endpoint of one service port for each new connection, as upstream's userspace
/// <c>LoadBalancerRR</c> (pkg/proxy/userspace/roundrobin.go) does: round-robin over the current endpoints and, with
/// <c>sessionAffinity: ClientIP</c>, the same endpoint again for a client IP seen within the affinity timeout.
/// Thread-safe: the relay calls it from many connections at once while the proxier calls <see cref="Update"/>.
/// </summary>
/// <remarks>
/// Unlike upstream, the endpoint order is the caller's (upstream shuffles each new set) so that the order is
/// predictable; a retry after a failed dial skips the endpoint that just failed when there is another one.
/// </remarks>
public sealed class EndpointPicker
{
    /// <summary>Upstream's default for <c>sessionAffinityConfig.clientIP.timeoutSeconds</c> (3 hours), used when the port says 0.</summary>
    public static readonly TimeSpan DefaultAffinityTimeout = TimeSpan.FromSeconds(10800);

    // Expired affinity entries are swept at most this often (or once per timeout when that is shorter), so a
    // pick stays O(1) while clients that never return cannot grow the table for ever.
    private static readonly TimeSpan MaxPruneInterval = TimeSpan.FromMinutes(1);

    private readonly TimeProvider _time;
    private readonly TimeSpan _pruneInterval;

    // Guarded by _lock.
    private readonly Lock _lock = new();
    private IPEndPoint[] _endpoints = [];
    private int _next;
    private readonly Dictionary<IPAddress, Affinity> _affinity = [];
    private DateTimeOffset _lastPrune;

    /// <summary>
    /// A picker for <paramref name="port"/>'s affinity settings (<see cref="ServicePort.ClientIpAffinity"/>,
    /// <see cref="ServicePort.AffinitySeconds"/>). It starts with no endpoints: the proxier calls <see cref="Update"/>
    /// with the endpoints it chose (e.g. the ready ones of <see cref="ServicePort.Endpoints"/>).
    /// </summary>
    /// <param name="timeProvider">The clock of the affinity timeout; <see cref="TimeProvider.System"/> when null.</param>
    public EndpointPicker(ServicePort port, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(port);
        ServicePortName = port.Name;
        ClientIpAffinity = port.ClientIpAffinity;
        AffinityTimeout = TimeoutOf(port);
        _time = timeProvider ?? TimeProvider.System;
        _pruneInterval = AffinityTimeout < MaxPruneInterval ? AffinityTimeout : MaxPruneInterval;
        _lastPrune = _time.GetUtcNow();
    }

    /// <summary>Whether <paramref name="port"/> asks for the affinity this picker was made with (else make a new one).</summary>
    public bool HasAffinityOf(ServicePort port) =>
        ClientIpAffinity == port.ClientIpAffinity
        && AffinityTimeout == TimeoutOf(port);

    private static TimeSpan TimeoutOf(ServicePort port) =>
        port.AffinitySeconds > 0 ? TimeSpan.FromSeconds(port.AffinitySeconds) : DefaultAffinityTimeout;

    /// <summary>The service port's <c>namespace/name:port</c>, for logs.</summary>
    public string ServicePortName { get; }

    /// <summary>Whether a client IP sticks to its endpoint (<c>sessionAffinity: ClientIP</c>).</summary>
    public bool ClientIpAffinity { get; }

    /// <summary>How long a client IP sticks to its endpoint after its last connection.</summary>
    public TimeSpan AffinityTimeout { get; }

    /// <summary>The current endpoints, in round-robin order.</summary>
    public IReadOnlyList<IPEndPoint> Endpoints
    {
        get { lock (_lock) return _endpoints; }
    }

    /// <summary>Number of client IPs that currently hold an affinity entry (expired ones count until swept).</summary>
    internal int AffinityCount
    {
        get { lock (_lock) return _affinity.Count; }
    }

    /// <summary>
    /// Replaces the endpoints (duplicates are ignored; order is kept). Affinity to an endpoint that is gone is dropped,
    /// so that client moves on, and stays dropped if the endpoint comes back. The round-robin position follows the
    /// endpoint that was due next when it is still there, so an update that only adds or removes others does not
    /// restart the rotation; otherwise it stays at the same index, wrapped into the new list.
    /// </summary>
    public void Update(IReadOnlyList<IPEndPoint> endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var fresh = endpoints.Distinct().ToArray();
        lock (_lock)
        {
            var kept = fresh.ToHashSet();
            foreach (var (client, affinity) in _affinity.ToArray())
                if (!kept.Contains(affinity.Endpoint)) _affinity.Remove(client);

            var dueNext = _endpoints.Length > 0 ? _endpoints[_next] : null;
            var position = dueNext is null ? -1 : Array.IndexOf(fresh, dueNext);
            _next = fresh.Length == 0 ? 0 : position >= 0 ? position : _next % fresh.Length;
            _endpoints = fresh;
            PruneIfDue(_time.GetUtcNow());
        }
    }

    /// <summary>
    /// The endpoint for a new connection from <paramref name="client"/>: the client's affinity endpoint when affinity
    /// is on and the entry has not expired (its timeout restarts), otherwise the next one in round-robin order
    /// (which becomes the client's affinity endpoint). False when there are no endpoints.
    /// </summary>
    public bool TryNext(IPAddress client, [NotNullWhen(true)] out IPEndPoint? endpoint)
    {
        ArgumentNullException.ThrowIfNull(client);
        lock (_lock)
        {
            var now = _time.GetUtcNow();
            PruneIfDue(now);
            if (_endpoints.Length == 0)
            {
                endpoint = null;
                return false;
            }
            if (ClientIpAffinity && _affinity.TryGetValue(client, out var affinity) && now - affinity.LastUsed < AffinityTimeout)
            {
                affinity.LastUsed = now;
                endpoint = affinity.Endpoint;
                return true;
            }
            endpoint = TakeNext(skip: null);
            Remember(client, endpoint, now);
            return true;
        }
    }

    /// <summary>
    /// The endpoint to try after a dial to <paramref name="failed"/> did not succeed, as upstream's
    /// <c>NextEndpoint(..., sessionAffinityReset=true)</c>: the client's affinity is ignored and the next endpoint in
    /// round-robin order is taken, skipping <paramref name="failed"/> when there is any other; it becomes the
    /// client's affinity endpoint. With a single endpoint that is the failed one again (the caller retries it with a
    /// longer timeout). False when there are no endpoints.
    /// </summary>
    public bool TryNextAfterFailure(IPAddress client, IPEndPoint failed, [NotNullWhen(true)] out IPEndPoint? endpoint)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(failed);
        lock (_lock)
        {
            if (_endpoints.Length == 0)
            {
                endpoint = null;
                return false;
            }
            endpoint = TakeNext(skip: failed);
            Remember(client, endpoint, _time.GetUtcNow());
            return true;
        }
    }

    // Caller holds _lock and has checked that there is at least one endpoint.
    private IPEndPoint TakeNext(IPEndPoint? skip)
    {
        var endpoint = _endpoints[_next];
        _next = (_next + 1) % _endpoints.Length;
        if (skip is not null && endpoint.Equals(skip) && _endpoints.Length > 1)
        {
            endpoint = _endpoints[_next];
            _next = (_next + 1) % _endpoints.Length;
        }
        return endpoint;
    }

    // Caller holds _lock.
    private void Remember(IPAddress client, IPEndPoint endpoint, DateTimeOffset now)
    {
        if (!ClientIpAffinity) return;
        if (_affinity.TryGetValue(client, out var affinity))
        {
            affinity.Endpoint = endpoint;
            affinity.LastUsed = now;
        }
        else
        {
            _affinity[client] = new Affinity { Endpoint = endpoint, LastUsed = now };
        }
    }

    // Caller holds _lock.
    private void PruneIfDue(DateTimeOffset now)
    {
        if (_affinity.Count == 0 || now - _lastPrune < _pruneInterval) return;
        _lastPrune = now;
        foreach (var (client, affinity) in _affinity.ToArray())
            if (now - affinity.LastUsed >= AffinityTimeout) _affinity.Remove(client);
    }

    // Mutable so a hit refreshes LastUsed without a second dictionary write; only touched under _lock.
    private sealed class Affinity
    {
        public required IPEndPoint Endpoint { get; set; }
        public required DateTimeOffset LastUsed { get; set; }
    }
}
