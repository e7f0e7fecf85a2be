using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Navarch.Proxy.Userspace;

/// <summary>
/// The UDP relay of one service port in userspace mode (upstream's <c>udpProxySocket</c>, pkg/proxy/userspace/
/// proxysocket.go): datagrams arriving on the proxy port are sent on to an endpoint from the
/// <see cref="EndpointPicker"/> through a socket per client address, and what the endpoint sends back goes to the
/// client from the proxy port (so conntrack's REDIRECT reverses it to the cluster IP). A client's socket closes after
/// <see cref="IdleTimeout"/> without traffic, or when the endpoint refuses; at most <see cref="MaxSessions"/> at once.
/// </summary>
public sealed partial class UdpRelay : IRelay
{
    /// <summary>Idle time after which a client's socket closes (upstream's <c>--udp-timeout</c> is 250 ms; DNS clients
    /// that retry from the same port are better served by longer).</summary>
    public static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Most client sockets at once; datagrams of further clients are dropped until some go idle.</summary>
    public const int MaxSessions = 4096;

    private const int MaxDatagram = 65535;

    private readonly Socket _socket;
    private readonly EndpointPicker _picker;
    private readonly ILogger _log;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<IPEndPoint, Session> _sessions = new();
    private readonly Task _receiveLoop;
    private readonly ITimer _sweeper;

    private UdpRelay(Socket socket, EndpointPicker picker, ILogger log, TimeProvider time)
    {
        _socket = socket;
        _picker = picker;
        _log = log;
        _time = time;
        Port = ((IPEndPoint)socket.LocalEndPoint!).Port;
        _receiveLoop = ReceiveLoopAsync(_stopping.Token);
        _sweeper = time.CreateTimer(_ => CloseIdle(), null, IdleTimeout / 2, IdleTimeout / 2);
    }

    public int Port { get; }

    /// <summary>Client sockets open now.</summary>
    public int OpenSessions => _sessions.Count;

    /// <summary>Binds <paramref name="listenAddress"/>:<paramref name="port"/> (0: ephemeral) and starts relaying. Throws <see cref="SocketException"/> when it cannot bind.</summary>
    public static UdpRelay Start(IPAddress listenAddress, int port, EndpointPicker picker, ILogger? log = null, TimeProvider? time = null)
    {
        var socket = new Socket(listenAddress.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            socket.Bind(new IPEndPoint(listenAddress, port));
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        return new UdpRelay(socket, picker, log ?? NullLogger.Instance, time ?? TimeProvider.System);
    }

    private async Task ReceiveLoopAsync(CancellationToken ct)
    {
        var buffer = new byte[MaxDatagram];
        var any = new IPEndPoint(_socket.AddressFamily == AddressFamily.InterNetwork ? IPAddress.Any : IPAddress.IPv6Any, 0);
        while (!ct.IsCancellationRequested)
        {
            SocketReceiveFromResult received;
            try
            {
                received = await _socket.ReceiveFromAsync(buffer, SocketFlags.None, any, ct);
            }
            catch (OperationCanceledException) { return; }
            catch (ObjectDisposedException) { return; }
            catch (SocketException) { continue; } // e.g. an ICMP error for an earlier reply: keep serving
            var client = (IPEndPoint)received.RemoteEndPoint;
            var session = _sessions.TryGetValue(client, out var open) ? open : Open(client, ct);
            if (session is null) continue;
            session.LastUsed = _time.GetUtcNow();
            try
            {
                await session.Backend.SendAsync(buffer.AsMemory(0, received.ReceivedBytes), SocketFlags.None, ct);
            }
            catch (OperationCanceledException) { return; }
            catch (SocketException e)
            {
                LogSendFailed(_log, _picker.ServicePortName, session.Endpoint.ToString(), e.SocketErrorCode.ToString());
                Close(client, session);
            }
        }
    }

    private Session? Open(IPEndPoint client, CancellationToken ct)
    {
        if (_sessions.Count >= MaxSessions || !_picker.TryNext(client.Address, out var endpoint)) return null;
        var backend = new Socket(endpoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            backend.Connect(endpoint);
        }
        catch (SocketException)
        {
            backend.Dispose();
            return null;
        }
        var session = new Session(backend, endpoint) { LastUsed = _time.GetUtcNow() };
        _sessions[client] = session;
        _ = ReplyLoopAsync(client, session, ct);
        return session;
    }

    // What the endpoint sends back goes to the client from the proxy port.
    private async Task ReplyLoopAsync(IPEndPoint client, Session session, CancellationToken ct)
    {
        var buffer = new byte[MaxDatagram];
        try
        {
            while (!ct.IsCancellationRequested)
            {
                var n = await session.Backend.ReceiveAsync(buffer, SocketFlags.None, ct);
                session.LastUsed = _time.GetUtcNow();
                await _socket.SendToAsync(buffer.AsMemory(0, n), SocketFlags.None, client, ct);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
        {
            // Closed (idle, disposed) or refused by the endpoint (ICMP port unreachable): the client's next datagram
            // opens a new session, possibly to another endpoint.
        }
        Close(client, session);
    }

    private void CloseIdle()
    {
        var cutoff = _time.GetUtcNow() - IdleTimeout;
        foreach (var (client, session) in _sessions)
            if (session.LastUsed < cutoff) Close(client, session);
    }

    private void Close(IPEndPoint client, Session session)
    {
        _sessions.TryRemove(new KeyValuePair<IPEndPoint, Session>(client, session));
        session.Backend.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await _sweeper.DisposeAsync();
        _socket.Dispose();
        try { await _receiveLoop; } catch (OperationCanceledException) { }
        foreach (var (client, session) in _sessions) Close(client, session);
        _stopping.Dispose();
    }

    private sealed class Session(Socket backend, IPEndPoint endpoint)
    {
        public Socket Backend { get; } = backend;
        public IPEndPoint Endpoint { get; } = endpoint;
        public DateTimeOffset LastUsed { get; set; }
    }

    [LoggerMessage(EventId = 20, Level = LogLevel.Debug, Message = "{ServicePort}: sending to {Endpoint} failed: {Error}")]
    private static partial void LogSendFailed(ILogger log, string servicePort, string endpoint, string error);
}
