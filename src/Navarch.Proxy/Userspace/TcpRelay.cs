using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Navarch.Proxy.Userspace;

/// <summary>
/// The relay of one service port in userspace mode (upstream's <c>tcpProxySocket</c>, pkg/proxy/userspace/proxysocket.go):
/// a TCP listener on the "proxy port" that the KUBE-PORTALS/KUBE-NODEPORT rules redirect the service's traffic to.
/// Each accepted connection is relayed to an endpoint chosen by an <see cref="EndpointPicker"/>; a dial that fails or
/// times out moves on to the next endpoint (upstream's schedule: 250 ms, 500 ms, 1 s, 2 s), and a client whose
/// connection cannot be placed is reset. Bytes are copied both ways until both sides have finished sending, with
/// half-closes passed through; then both sockets are closed.
/// </summary>
/// <remarks>
/// TCP only: <see cref="UdpRelay"/> relays UDP ports.
/// Each direction waits for data with a zero-byte receive and borrows a pooled 16 KiB buffer only while data is
/// moving, so an idle relayed connection holds no buffer.
/// </remarks>
public sealed partial class TcpRelay : IRelay
{
    /// <summary>Upstream's <c>endpointDialTimeout</c>: one dial per entry, each a different endpoint when there is one.</summary>
    internal static readonly IReadOnlyList<TimeSpan> UpstreamDialTimeouts =
        [TimeSpan.FromMilliseconds(250), TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2)];

    private const int BufferSize = 16 * 1024;

    // DisposeAsync aborts every connection, so their tasks end at once; the bound only keeps a stuck one from
    // holding up the proxier's shutdown.
    private static readonly TimeSpan DisposeWait = TimeSpan.FromSeconds(5);

    private readonly Socket _listener;
    private readonly EndpointPicker _picker;
    private readonly IReadOnlyList<TimeSpan> _dialTimeouts;
    private readonly ILogger _log;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _acceptLoop;

    // Guarded by _lock: the open connections and whether new ones are still taken.
    private readonly Lock _lock = new();
    private readonly HashSet<RelayedConnection> _connections = [];
    private bool _disposed;

    private TcpRelay(Socket listener, EndpointPicker picker, IReadOnlyList<TimeSpan> dialTimeouts, ILogger log)
    {
        _listener = listener;
        _picker = picker;
        _dialTimeouts = dialTimeouts;
        _log = log;
        Port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        _acceptLoop = AcceptLoopAsync(_stopping.Token);
    }

    /// <summary>The port the relay listens on (the one picked by the kernel when started with port 0).</summary>
    public int Port { get; }

    /// <summary>Client connections accepted and not yet closed, including those still dialing an endpoint.</summary>
    public int OpenConnections
    {
        get { lock (_lock) return _connections.Count; }
    }

    /// <summary>
    /// Listens on <paramref name="listenAddress"/>:<paramref name="port"/> (0 = an ephemeral port, see <see cref="Port"/>)
    /// and relays every accepted connection to an endpoint from <paramref name="picker"/>. Throws
    /// <see cref="SocketException"/> when the address cannot be bound (e.g. the port is taken).
    /// </summary>
    public static TcpRelay Start(IPAddress listenAddress, int port, EndpointPicker picker, ILogger? log = null) =>
        Start(listenAddress, port, picker, log, UpstreamDialTimeouts);

    /// <summary><see cref="Start(IPAddress, int, EndpointPicker, ILogger?)"/> with a dial schedule of its own, for tests.</summary>
    internal static TcpRelay Start(IPAddress listenAddress, int port, EndpointPicker picker, ILogger? log, IReadOnlyList<TimeSpan> dialTimeouts)
    {
        ArgumentNullException.ThrowIfNull(listenAddress);
        ArgumentNullException.ThrowIfNull(picker);
        ArgumentOutOfRangeException.ThrowIfLessThan(dialTimeouts.Count, 1);
        var listener = new Socket(listenAddress.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            listener.Bind(new IPEndPoint(listenAddress, port));
            listener.Listen();
        }
        catch
        {
            listener.Dispose();
            throw;
        }
        return new TcpRelay(listener, picker, dialTimeouts, log ?? NullLogger.Instance);
    }

    /// <summary>
    /// Stops listening and resets every open relayed connection, both the client's and the endpoint's side (a reset
    /// rather than a clean close, so no peer takes a cut-off stream for a complete one). Completes within a few
    /// seconds even if a connection's task does not end.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        RelayedConnection[] open;
        lock (_lock)
        {
            if (_disposed) return;
            _disposed = true;
            open = [.. _connections];
        }
        _stopping.Cancel();
        _listener.Dispose();
        foreach (var connection in open) connection.Abort();
        try
        {
            await Task.WhenAll(open.Select(c => c.Completion).Append(_acceptLoop)).WaitAsync(DisposeWait);
            _stopping.Dispose(); // only once nothing can still link to its token
        }
        catch (TimeoutException)
        {
            LogDisposeSlow(_picker.ServicePortName, Port);
        }
    }

    private async Task AcceptLoopAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(ct);
            }
            catch (Exception e) when (ct.IsCancellationRequested && e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionAborted or SocketError.ConnectionReset)
            {
                continue; // the client gave up while queued: nothing to relay
            }
            catch (SocketException e)
            {
                // Out of descriptors or similar: back off instead of spinning, and keep serving when it passes.
                LogAcceptFailed(_picker.ServicePortName, Port, e.SocketErrorCode.ToString());
                try { await Task.Delay(TimeSpan.FromMilliseconds(100), ct); }
                catch (OperationCanceledException) { return; }
                continue;
            }

            var connection = new RelayedConnection(client);
            bool accepted;
            lock (_lock)
            {
                accepted = !_disposed && _connections.Add(connection);
            }
            if (!accepted)
            {
                connection.Abort();
                return;
            }
            _ = RelayAsync(connection, ct);
        }
    }

    private async Task RelayAsync(RelayedConnection connection, CancellationToken ct)
    {
        await Task.Yield(); // the accept loop goes back to accepting while this connection dials
        try
        {
            connection.Client.NoDelay = true; // see DialAsync
            var backend = await DialAsync(connection.ClientAddress, ct);
            if (backend is null || !connection.AttachBackend(backend))
            {
                connection.Abort();
                return;
            }
            await Task.WhenAll(
                PumpAsync(connection.Client, backend, connection),
                PumpAsync(backend, connection.Client, connection));
            connection.Close();
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
        {
            connection.Abort(); // the relay is stopping or a socket broke: nothing to report
        }
        catch (Exception e)
        {
            // Nobody awaits this task, so a surprise is logged here rather than lost; the connection still goes.
            connection.Abort();
            LogRelayFailed(_picker.ServicePortName, connection.ClientAddress, e);
        }
        finally
        {
            lock (_lock) _connections.Remove(connection);
            connection.MarkDone();
        }
    }

    /// <summary>
    /// Upstream's <c>tryConnect</c>: one dial per timeout of the schedule, the first to the picker's choice for this
    /// client, each later one to the next endpoint after the one that failed. Null when there is no endpoint or every
    /// dial failed.
    /// </summary>
    private async Task<Socket?> DialAsync(IPAddress client, CancellationToken ct)
    {
        IPEndPoint? failed = null;
        for (var attempt = 0; attempt < _dialTimeouts.Count; attempt++)
        {
            IPEndPoint? endpoint;
            if (failed is null ? !_picker.TryNext(client, out endpoint) : !_picker.TryNextAfterFailure(client, failed, out endpoint))
            {
                LogNoEndpoints(_picker.ServicePortName, client);
                return null;
            }

            var timeout = _dialTimeouts[attempt];
            // NoDelay: the relay forwards what it reads at once; Nagle here would hold back small writes the client
            // already sent without delay (Go, which upstream is written in, sets TCP_NODELAY by default too).
            var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
            deadline.CancelAfter(timeout);
            try
            {
                await socket.ConnectAsync(endpoint, deadline.Token);
                return socket;
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                socket.Dispose();
                LogDialFailed(_picker.ServicePortName, endpoint, attempt + 1, _dialTimeouts.Count, (int)timeout.TotalMilliseconds, "timed out");
            }
            catch (SocketException e)
            {
                socket.Dispose();
                LogDialFailed(_picker.ServicePortName, endpoint, attempt + 1, _dialTimeouts.Count, (int)timeout.TotalMilliseconds, e.SocketErrorCode.ToString());
            }
            catch
            {
                socket.Dispose();
                throw;
            }
            failed = endpoint;
        }
        LogAllDialsFailed(_picker.ServicePortName, client, _dialTimeouts.Count);
        return null;
    }

    /// <summary>
    /// Copies <paramref name="from"/> to <paramref name="to"/> until <paramref name="from"/> stops sending, then
    /// shuts down <paramref name="to"/>'s sending side (a half-close: the other direction goes on). An error either way
    /// resets the whole connection.
    /// </summary>
    private static async Task PumpAsync(Socket from, Socket to, RelayedConnection connection)
    {
        try
        {
            while (true)
            {
                // Zero-byte receive: completes when data (or the end) is there, without holding a buffer meanwhile.
                await from.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None);
                var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
                try
                {
                    var read = await from.ReceiveAsync(buffer.AsMemory(0, BufferSize), SocketFlags.None);
                    if (read == 0)
                    {
                        to.Shutdown(SocketShutdown.Send);
                        return;
                    }
                    for (var sent = 0; sent < read;)
                        sent += await to.SendAsync(buffer.AsMemory(sent, read - sent), SocketFlags.None);
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
        {
            connection.Abort();
        }
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning,
        Message = "{Service}: dial to {Endpoint} failed (attempt {Attempt} of {Attempts}, timeout {TimeoutMs} ms): {Reason}")]
    private partial void LogDialFailed(string service, IPEndPoint endpoint, int attempt, int attempts, int timeoutMs, string reason);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning,
        Message = "{Service}: no endpoint could be dialed in {Attempts} attempts, resetting the connection from {Client}")]
    private partial void LogAllDialsFailed(string service, IPAddress client, int attempts);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information,
        Message = "{Service}: no endpoints, resetting the connection from {Client}")]
    private partial void LogNoEndpoints(string service, IPAddress client);

    [LoggerMessage(EventId = 4, Level = LogLevel.Error, Message = "{Service}: accept on proxy port {Port} failed: {Reason}")]
    private partial void LogAcceptFailed(string service, int port, string reason);

    [LoggerMessage(EventId = 5, Level = LogLevel.Warning,
        Message = "{Service}: relayed connections on proxy port {Port} did not finish within the dispose bound")]
    private partial void LogDisposeSlow(string service, int port);

    [LoggerMessage(EventId = 6, Level = LogLevel.Error, Message = "{Service}: relaying a connection from {Client} failed")]
    private partial void LogRelayFailed(string service, IPAddress client, Exception exception);

    /// <summary>One client connection and, once dialed, its endpoint connection; closed or reset exactly once.</summary>
    private sealed class RelayedConnection(Socket client)
    {
        private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

        // Guarded by _lock: the backend socket and whether the connection is finished.
        private readonly Lock _lock = new();
        private Socket? _backend;
        private bool _finished;

        public Socket Client { get; } = client;

        /// <summary>The client's address (known from accept), IPv4-mapped addresses unwrapped so affinity sees one key per client.</summary>
        public IPAddress ClientAddress { get; } = Unmapped(((IPEndPoint)client.RemoteEndPoint!).Address);

        /// <summary>Completes when the relay of this connection has ended and it no longer counts as open.</summary>
        public Task Completion => _done.Task;

        public void MarkDone() => _done.TrySetResult();

        /// <summary>Records the dialed endpoint socket; false (and the socket closed) if the connection was reset meanwhile.</summary>
        public bool AttachBackend(Socket backend)
        {
            lock (_lock)
            {
                if (!_finished)
                {
                    _backend = backend;
                    return true;
                }
            }
            backend.Dispose();
            return false;
        }

        /// <summary>Closes both sockets normally: both sides have finished sending.</summary>
        public void Close() => Finish(reset: false);

        /// <summary>Resets both sockets (SO_LINGER 0), which also ends any receive or send pending on them.</summary>
        public void Abort() => Finish(reset: true);

        private void Finish(bool reset)
        {
            Socket? backend;
            lock (_lock)
            {
                if (_finished) return;
                _finished = true;
                backend = _backend;
            }
            End(Client, reset);
            if (backend is not null) End(backend, reset);
        }

        private static void End(Socket socket, bool reset)
        {
            try
            {
                if (reset) socket.LingerState = new LingerOption(true, 0);
            }
            catch (SocketException)
            {
                // Already reset by the peer: closing is all that is left.
            }
            socket.Dispose();
        }

        private static IPAddress Unmapped(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
    }
}
