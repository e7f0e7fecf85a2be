using System.Net;
using Microsoft.Extensions.Logging;
using Navarch.Proxy.ChangeTracking;

namespace Navarch.Proxy.Userspace;

/// <summary>
/// The userspace mode (the seed's): a <see cref="TcpRelay"/> (or <see cref="UdpRelay"/>) on a port of its own for every
/// TCP (UDP) service port, and the
/// four chains of <see cref="PortalRules"/> steering each cluster IP and node port to its relay. A relay keeps its port
/// for as long as its service port exists, so established connections survive endpoint changes; the relays of removed
/// service ports are closed after the rules stop pointing at them. SCTP ports are not proxied in this mode.
/// </summary>
public sealed partial class UserspaceProxier(IIptables iptables, ProxyNode node, ILogger log, TimeProvider? time = null) : IProxier
{
    private readonly Dictionary<string, (EndpointPicker Picker, IRelay Relay)> _relays = new(StringComparer.Ordinal);
    private bool _started;

    /// <summary>The relay port of each proxied service port, by <c>ns/svc:port/PROTOCOL</c> (for tests and logs).</summary>
    public IReadOnlyDictionary<string, int> ProxyPorts => _relays.ToDictionary(r => r.Key, r => r.Value.Relay.Port);

    public async Task SyncAsync(IReadOnlyList<ServicePort> ports, CancellationToken ct)
    {
        if (!_started)
        {
            await ProxyCleanup.RemoveIptablesAsync(iptables, ct);
            _started = true;
        }

        var proxied = ports.Where(p => p.Protocol is "TCP" or "UDP").ToList();
        var wanted = new List<(ServicePort Port, int ProxyPort)>();
        foreach (var port in proxied)
        {
            var key = Key(port);
            if (!_relays.TryGetValue(key, out var relay) || !relay.Picker.HasAffinityOf(port))
            {
                if (relay.Relay is not null) await relay.Relay.DisposeAsync();
                var picker = new EndpointPicker(port, time);
                // Any address: REDIRECT sends packets to the address they arrived on (the bridge's for pods, eth0's
                // for other nodes), and DNAT from OUTPUT to the node's address.
                relay = (picker, port.Protocol == "UDP"
                    ? UdpRelay.Start(IPAddress.Any, 0, picker, log, time)
                    : TcpRelay.Start(IPAddress.Any, 0, picker, log));
                _relays[key] = relay;
                LogOpened(log, port.Name, port.Protocol, relay.Relay.Port);
            }
            relay.Picker.Update(ServicePortTable.Usable(port).Select(e => e.EndPoint).ToList());
            wanted.Add((port, relay.Relay.Port));
        }

        await iptables.RestoreAsync(PortalRules.Render(wanted, node), ct);
        await ProxyCleanup.EnsureJumpsAsync(iptables, PortalRules.Jumps, ct);

        var keep = proxied.Select(Key).ToHashSet(StringComparer.Ordinal);
        foreach (var gone in _relays.Keys.Where(k => !keep.Contains(k)).ToList())
        {
            await _relays[gone].Relay.DisposeAsync();
            _relays.Remove(gone);
            LogClosed(log, gone);
        }
    }

    /// <summary>Closes every relay. The rules stay until the next sync or <c>--cleanup</c>, as upstream's.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var (_, relay) in _relays) await relay.Relay.DisposeAsync();
        _relays.Clear();
    }

    private static string Key(ServicePort port) => $"{port.Name}/{port.Protocol}";

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "opened proxy port {ProxyPort} for {ServicePort}/{Protocol}")]
    private static partial void LogOpened(ILogger log, string servicePort, string protocol, int proxyPort);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "closed the proxy port of {ServicePort}")]
    private static partial void LogClosed(ILogger log, string servicePort);
}
