using System.Net;
using System.Net.Sockets;
using ARSoft.Tools.Net.Dns;
using Microsoft.Extensions.Logging;

namespace Navarch.Dns.Serving;

/// <summary>
/// The DNS listener: ARSoft.Tools.Net's server loop and wire format over UDP and TCP on one address and port, each
/// query handed to a <see cref="QueryHandler"/>. Truncation (TC) of UDP answers past the client's size is the
/// library's; a query it cannot parse is dropped or answered FORMERR by it, and nothing a client sends ends the loop.
/// </summary>
public sealed partial class ClusterDnsServer : IAsyncDisposable
{
    private readonly DnsServer _server;
    private readonly QueryHandler _handler;
    private readonly ILogger _log;
    private readonly CancellationTokenSource _stop = new();

    private ClusterDnsServer(DnsServer server, QueryHandler handler, IPEndPoint endpoint, ILogger log)
    {
        _server = server;
        _handler = handler;
        _log = log;
        EndPoint = endpoint;
    }

    /// <summary>Where the server answers (the port is the real one when 0 was asked for).</summary>
    public IPEndPoint EndPoint { get; }

    /// <summary>Binds UDP and TCP on <paramref name="address"/>:<paramref name="port"/> (0: a port free for both) and starts answering.</summary>
    public static ClusterDnsServer Start(IPAddress address, int port, QueryHandler handler, ILogger log)
    {
        var endpoint = new IPEndPoint(address, port == 0 ? FreePort(address) : port);
        var server = new DnsServer(new UdpServerTransport(endpoint), new TcpServerTransport(endpoint));
        var dns = new ClusterDnsServer(server, handler, endpoint, log);
        server.QueryReceived += dns.OnQueryAsync;
        server.ExceptionThrown += dns.OnExceptionAsync;
        server.Start();
        return dns;
    }

    private async Task OnQueryAsync(object sender, QueryReceivedEventArgs e)
    {
        if (e.Query is not DnsMessage query) return;
        try
        {
            e.Response = await _handler.RespondAsync(query, _stop.Token);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogQueryFailed(_log, query.Questions.FirstOrDefault()?.ToString() ?? "?", ex);
            var failure = query.CreateResponseInstance();
            failure.ReturnCode = ReturnCode.ServerFailure;
            e.Response = failure;
        }
    }

    private Task OnExceptionAsync(object sender, ExceptionEventArgs e)
    {
        LogServerError(_log, e.Exception.Message);
        return Task.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _server.Stop();
        _stop.Dispose();
        return ValueTask.CompletedTask;
    }

    // A port free for both UDP and TCP on the address (tests and benchmarks ask for port 0).
    private static int FreePort(IPAddress address)
    {
        for (var attempt = 0; ; attempt++)
        {
            using var tcp = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            tcp.Bind(new IPEndPoint(address, 0));
            var port = ((IPEndPoint)tcp.LocalEndPoint!).Port;
            using var udp = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            try
            {
                udp.Bind(new IPEndPoint(address, port));
                return port;
            }
            catch (SocketException) when (attempt < 20) { }
        }
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "cluster DNS: answering {Question} failed")]
    private static partial void LogQueryFailed(ILogger log, string question, Exception e);

    [LoggerMessage(EventId = 2, Level = LogLevel.Debug, Message = "cluster DNS: {Reason}")]
    private static partial void LogServerError(ILogger log, string reason);
}
