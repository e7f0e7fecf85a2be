using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Navarch.ApiServer.Hosting;
using Navarch.Storage.Memory;

namespace Navarch.ApiServer.Tests;

/// <summary>
/// The API server in the test process, over a <see cref="MemoryStore"/>, on a loopback port: starts in well under a
/// second, so tests can afford a fresh server each, and a crash of the server is a crash of the test run.
/// </summary>
public sealed class InProcessServer : IAsyncDisposable
{
    private readonly ApiServerHost _host;
    private readonly ILoggerFactory _loggers;

    private InProcessServer(ApiServerHost host, ILoggerFactory loggers, RecordedErrors errors, int port)
    {
        _host = host;
        _loggers = loggers;
        Errors = errors;
        Port = port;
        Http = new HttpClient { BaseAddress = new Uri(host.Url), Timeout = TimeSpan.FromSeconds(30) };
    }

    public int Port { get; }

    /// <summary>What the server logged at Error and above.</summary>
    public RecordedErrors Errors { get; }

    public string Url => _host.Url;

    /// <summary>A client on <see cref="Url"/>; relative paths like <c>/api/v1/pods</c> work.</summary>
    public HttpClient Http { get; }

    public static async Task<InProcessServer> StartAsync(CancellationToken ct = default) => await StartAsync(null, ct);

    /// <summary>A server whose options <paramref name="configure"/> may change (admission plugins, say) before it starts.</summary>
    public static async Task<InProcessServer> StartAsync(Action<ApiServerOptions>? configure, CancellationToken ct = default)
    {
        // The host reports the port it was given, so pick a free one; another process may take it between the probe
        // and the bind, hence the retries.
        for (var attempt = 1; ; attempt++)
        {
            var port = FreeLoopbackPort();
            var options = new ApiServerOptions { Bind = "127.0.0.1", InsecurePort = port, DataDir = "/nonexistent-memory-store" };
            configure?.Invoke(options);
            var errors = new RecordedErrors();
            var loggers = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Warning).AddProvider(errors));
            try
            {
                return new InProcessServer(await ApiServerHost.StartAsync(options, new MemoryStore(), loggers, ct), loggers, errors, port);
            }
            catch (IOException) when (attempt < 5)
            {
                loggers.Dispose();
            }
        }
    }

    private static int FreeLoopbackPort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _host.DisposeAsync();
        _loggers.Dispose();
    }
}
