using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.AspNetCore.WebSockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using System.Security.Cryptography.X509Certificates;
using Navarch.Cri;

namespace Navarch.Agent.Server;

/// <summary>
/// The agent's HTTPS server, upstream kubelet's :10250 subset that the API server relays to:
/// <c>GET /containerLogs/{ns}/{pod}/{container}</c> (kubectl logs) and WebSocket <c>/exec/{ns}/{pod}/{container}</c>
/// (kubectl exec), SPDY <c>/portForward/{ns}/{pod}</c> (kubectl port-forward), plus <c>/healthz</c>. Bound to the node's address only, with a certificate of the cluster CA or, until it has one,
/// a self-signed one; with <see cref="AgentEndpointOptions.Auth"/> every request is authenticated and authorized first.
/// Kestrel on its own, without the web host (dependency injection, configuration, routing): the agent's memory
/// budget is 100 MB and the host alone would take a tenth of it.
/// </summary>
public sealed class AgentEndpoint : IAsyncDisposable
{
    private readonly KestrelServer _server;
    private int _disposed;

    private readonly CertificateSlot _certificate;

    private AgentEndpoint(KestrelServer server, Uri url, CertificateSlot certificate)
    {
        _server = server;
        Url = url;
        _certificate = certificate;
    }

    /// <summary>The serving certificate new connections get.</summary>
    public X509Certificate2 Certificate => _certificate.Current;

    /// <summary>Serves new connections with <paramref name="certificate"/> (one the cluster CA signed, say); open ones keep theirs.</summary>
    public void ReplaceCertificate(X509Certificate2 certificate) => _certificate.Current = certificate;

    /// <summary>The certificate of the next handshake; swapped whole, so a reader sees the old one or the new one.</summary>
    private sealed class CertificateSlot(X509Certificate2 initial)
    {
        private volatile X509Certificate2 _current = initial;

        public X509Certificate2 Current { get => _current; set => _current = value; }
    }

    /// <summary>Where it listens, e.g. <c>https://192.168.0.201:10250</c>.</summary>
    public Uri Url { get; }

    /// <summary>The port it listens on (the one asked for, or the free one picked for port 0).</summary>
    public int Port => Url.Port;

    /// <summary>
    /// Starts listening. <paramref name="locator"/> maps names to the containers the agent runs;
    /// <paramref name="runtime"/> gives their log paths and runs exec. Throws if the address cannot be bound.
    /// </summary>
    public static async Task<AgentEndpoint> StartAsync(AgentEndpointOptions options, ICriRuntime runtime, IContainerLocator locator,
        ILoggerFactory? loggers = null, TimeProvider? time = null, CancellationToken cancellationToken = default)
    {
        options.Validate();
        time ??= TimeProvider.System;
        loggers ??= NullLoggerFactory.Instance;
        var certificate = new CertificateSlot(options.ServingCertificate
            ?? ServingCertificate.LoadOrCreate(options.CertificateDirectory, options.NodeName, [options.Address], time));

        var kestrel = new KestrelServerOptions { AddServerHeader = false };
        kestrel.Listen(options.Address, options.Port, listen =>
        {
            listen.Protocols = HttpProtocols.Http1;
            listen.Use(TlsTermination.With(() => certificate.Current, askClientCertificate: options.Auth is not null));
        });
        var transport = new SocketTransportFactory(Options.Create(new SocketTransportOptions()), loggers);
        var server = new KestrelServer(Options.Create(kestrel), transport, loggers);

        var routes = new AgentRoutes(
            new LogsHandler(runtime, locator, new ContainerLogStreamer(time), time),
            new ExecHandler(runtime, locator),
            new PortForwardHandler(runtime));
        var webSockets = new WebSocketMiddleware(routes.DispatchAsync,
            Options.Create(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(30) }), loggers);
        RequestDelegate pipeline = webSockets.Invoke;
        if (options.Auth is { } auth) pipeline = new Auth.AgentAuthFilter(auth, options.NodeName, pipeline, time).InvokeAsync;
        await server.StartAsync(new Application(pipeline), cancellationToken);

        var address = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? throw new InvalidOperationException("the agent server reports no address");
        var port = new Uri(address.Replace("[::]", "localhost")).Port;
        var host = options.Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{options.Address}]" : options.Address.ToString();
        return new AgentEndpoint(server, new Uri($"https://{host}:{port}"), certificate);
    }

    /// <summary>Stops listening (open log streams and exec sessions are cut). Idempotent.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        using (var stop = new CancellationTokenSource(TimeSpan.FromSeconds(5)))
            await _server.StopAsync(stop.Token);
        _server.Dispose();
    }

    /// <summary>What Kestrel calls per request: a plain <see cref="DefaultHttpContext"/> through <paramref name="pipeline"/>.</summary>
    private sealed class Application(RequestDelegate pipeline) : IHttpApplication<HttpContext>
    {
        public HttpContext CreateContext(IFeatureCollection contextFeatures) => new DefaultHttpContext(contextFeatures);

        public Task ProcessRequestAsync(HttpContext context) => pipeline(context);

        public void DisposeContext(HttpContext context, Exception? exception)
        {
        }
    }
}
