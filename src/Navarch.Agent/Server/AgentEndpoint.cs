using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Navarch.Agent.Runtime;

namespace Navarch.Agent.Server;

/// <summary>
/// The agent's HTTPS server, upstream kubelet's :10250 subset that the API server relays to:
/// <c>GET /containerLogs/{ns}/{pod}/{container}</c> (kubectl logs) and WebSocket <c>/exec/{ns}/{pod}/{container}</c>
/// (kubectl exec), plus <c>/healthz</c>. Kestrel, bound to the node's address only, with a self-signed certificate.
/// </summary>
public sealed class AgentEndpoint : IAsyncDisposable
{
    private readonly WebApplication _app;

    private AgentEndpoint(WebApplication app, Uri url)
    {
        _app = app;
        Url = url;
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
        var certificate = ServingCertificate.LoadOrCreate(options.CertificateDirectory, options.NodeName, [options.Address], time);

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ApplicationName = typeof(AgentEndpoint).Assembly.GetName().Name });
        builder.Logging.ClearProviders();
        if (loggers is not null) builder.Services.AddSingleton(loggers);
        builder.WebHost.UseKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Listen(options.Address, options.Port, listen => listen.UseHttps(certificate));
        });
        var app = builder.Build();
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(30) });

        var logs = new LogsHandler(runtime, locator, new ContainerLogStreamer(time), time);
        var exec = new ExecHandler(runtime, locator);
        app.MapGet("/healthz", () => "ok");
        app.MapGet("/containerLogs/{ns}/{pod}/{container}", (HttpContext ctx, string ns, string pod, string container) => logs.HandleAsync(ctx, ns, pod, container));
        app.Map("/exec/{ns}/{pod}/{container}", (HttpContext ctx, string ns, string pod, string container) => exec.HandleAsync(ctx, ns, pod, container));

        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? throw new InvalidOperationException("the agent server reports no address");
        var port = new Uri(address.Replace("[::]", "localhost")).Port;
        var host = options.Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{options.Address}]" : options.Address.ToString();
        return new AgentEndpoint(app, new Uri($"https://{host}:{port}"));
    }

    /// <summary>Stops listening (open log streams and exec sessions are cut). Idempotent.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _app.StopAsync(stop.Token);
        }
        catch (ObjectDisposedException)
        {
        }
        await _app.DisposeAsync();
    }
}
