using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Navarch.ApiServer.Allocation;
using Navarch.ApiServer.Bootstrap;
using Navarch.ApiServer.Certificates;
using Navarch.ApiServer.Filters;
using Navarch.ApiServer.Handlers;
using Navarch.ApiServer.Http;
using Navarch.ApiServer.Registry;
using Navarch.ApiServer.Registry.Strategies;
using Navarch.ApiServer.ServiceAccounts;
using Navarch.ApiServer.Watching;
using Navarch.Storage;
using Prometheus;

namespace Navarch.ApiServer.Hosting;

/// <summary>
/// The API server: opens the store, fills the watch cache, repairs allocations, makes the default objects,
/// then serves HTTP on the insecure port until stopped. Stopping (<see cref="DisposeAsync"/>) fails /readyz,
/// ends every watch with a clean end of stream, stops accepting, lets requests in flight finish (for at most
/// <see cref="RequestDrainTimeout"/>), then closes the store, which checkpoints its WAL.
/// </summary>
public sealed class ApiServerHost : IAsyncDisposable
{
    /// <summary>How long requests in flight (exec or log streams, say) may run on once stopping began; then they are cut.</summary>
    public static readonly TimeSpan RequestDrainTimeout = TimeSpan.FromSeconds(2);

    private readonly WebApplication _app;
    private readonly IStore _store;
    private readonly WatchCache _cache;
    private int _disposed;

    private ApiServerHost(WebApplication app, IStore store, WatchCache cache)
    {
        _app = app;
        _store = store;
        _cache = cache;
    }

    /// <summary>The insecure port's address, e.g. http://127.0.0.1:8080; "" when it is off.</summary>
    public string Url { get; private set; } = "";

    /// <summary>The secure port's address, e.g. https://127.0.0.1:6443; "" when it is off.</summary>
    public string SecureUrl { get; private set; } = "";

    /// <summary>The cluster CA and serving certificate; null when the secure port is off.</summary>
    public ClusterPki? Pki { get; private set; }

    /// <summary>The command that joins a node (<c>navarch agent --token … --ca-cert-hash …</c>); null when the secure port is off.</summary>
    public string? JoinCommand { get; private set; }

    /// <summary>Path of the admin kubeconfig the server wrote; null when the secure port is off.</summary>
    public string? AdminKubeconfig { get; private set; }

    /// <summary>Starts a server with the store <see cref="ApiServerOptions.Storage"/> names (SQLite in <see cref="ApiServerOptions.DataDir"/> by default).</summary>
    public static async Task<ApiServerHost> StartAsync(ApiServerOptions options, ILoggerFactory? loggers, CancellationToken ct)
    {
        options.Validate();
        PemFiles.EnsurePrivateDirectory(options.DataDir);
        var store = await StoreFactory.OpenAsync(options.Storage, options.DataDir, TimeProvider.System, loggers, ct);
        return await StartAsync(options, store, loggers, ct);
    }

    /// <summary>Starts a server over <paramref name="store"/>, which it then owns.</summary>
    public static async Task<ApiServerHost> StartAsync(ApiServerOptions options, IStore store, ILoggerFactory? loggers, CancellationToken ct)
    {
        options.Validate();
        try
        {
            store = Encryption.EncryptionSetup.Wrap(store, options.EncryptionProviderConfig);
        }
        catch
        {
            await store.DisposeAsync();
            throw;
        }
        var time = TimeProvider.System;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss.fff "; });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None); // else an Activity and a scope per request
        if (loggers is not null) builder.Services.AddSingleton(loggers); // the caller's (tests record the errors)
        var pki = options.SecurePort > 0 ? ClusterPki.Ensure(options, time) : null;
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Limits.MaxRequestBodySize = null; // RequestBody enforces upstream's 3 MiB with a Status.
            if (options.InsecurePort > 0) k.Listen(IPAddress.Parse(options.Bind), options.InsecurePort, l => l.Protocols = HttpProtocols.Http1);
            if (pki is not null) SecureServing.Listen(k, options, pki);
        });

        var services = builder.Services;
        services.AddSingleton<IHostLifetime, CommandLifetime>();
        services.Configure<HostOptions>(o => o.ShutdownTimeout = RequestDrainTimeout);
        services.AddSingleton(time);
        services.AddSingleton(store);
        services.AddSingleton(options);
        services.AddSingleton(sp => new WatchCache(store, sp.GetRequiredService<ILogger<WatchCache>>(), options.WatchCacheSize));
        var (firstPort, lastPort) = options.ParseNodePortRange();
        services.AddSingleton(new ServiceAllocator(store, options.ServiceClusterIpRange, (firstPort, lastPort)));
        services.AddSingleton<ResourceStrategy, ServiceStrategy>();
        services.AddSingleton<ObjectRegistry>();
        services.AddSingleton(new WatchOptions(options.MinRequestTimeoutSeconds, options.WatchBookmarkInterval));
        services.AddSingleton<ListHandler>();
        services.AddSingleton<WatchHandler>();
        services.AddSingleton<ObjectHandler>();
        services.AddSingleton<PatchHandler>();
        services.AddSingleton<ScaleHandler>();
        services.AddSingleton<BindingHandler>();
        services.AddSingleton(Kubelet.KubeletConnections.Create(options.Kubelet, pki, options.DataDir, time));
        services.AddSingleton<NodeProxy>();
        services.AddSingleton<PortForwardProxy>();
        services.AddSingleton<ResourceRouter>();
        services.AddSingleton<DefaultObjects>();
        var (advertise, apiPort) = AdvertisedAddress.Of(options);
        services.AddSingleton(new AdvertisedAddress(advertise, apiPort, options.MasterLeaseTtl));
        services.AddHostedService<EndpointReconciler>(); // started and stopped with the app
        services.AddRequestFilters(options, pki);
        Certificates.Signing.CertificateSigningSetup.AddCertificateSigning(services, pki, options.ClusterSigningDuration, time);
        if (pki is not null) services.AddHostedService<BootstrapSigner>(); // signs cluster-info for bootstrap tokens

        var app = builder.Build();
        var cache = app.Services.GetRequiredService<WatchCache>();
        var host = new ApiServerHost(app, store, cache);
        var ready = false;
        try
        {
            await cache.StartAsync(ct);
            var registry = app.Services.GetRequiredService<ObjectRegistry>();
            var (services0, _) = cache.Snapshot(Api.Resources.ResourceCatalog.Services);
            // Another API server on the same etcd may be between allocating and creating: leave its allocations alone.
            var releaseLeaks = options.Storage.Backend != StoreFactory.Etcd;
            await app.Services.GetRequiredService<ServiceAllocator>().RepairAsync(services0.Values.Select(o => (k8s.Models.V1Service)o.Object), releaseLeaks, ct);
            await app.Services.GetRequiredService<DefaultObjects>().EnsureAsync(advertise, apiPort, ct);
            await app.Services.GetRequiredService<Authorization.Rbac.BootstrapPolicyWriter>().EnsureAsync(ct);
            if (pki is not null)
            {
                await new ClusterInfo(registry).EnsureAsync(pki.Authority.Certificate, SecureServing.AdvertisedUrl(options), ct);
                host.JoinCommand = await new BootstrapTokens(registry, cache, time).EnsureJoinCommandAsync(pki.Authority.Certificate, SecureServing.AdvertisedUrl(options), options.DataDir, ct);
            }

            app.UseMiddleware<ErrorHandling>();
            app.UseRequestFilters();
            app.UseWebSockets();
            DiscoveryEndpoints.Map(app, $"{advertise}:{apiPort}");
            MapHealth(app, store, () => ready);
            ApiMetrics.LimitDefaultMetrics();
            app.MapMetrics("/metrics");
            Authorization.ReviewEndpoints.Map(app);
            app.MapServiceAccountDiscovery();
            var router = app.Services.GetRequiredService<ResourceRouter>();
            RequestDelegate resources = ctx => Dispatch(ctx, router);
            app.Map("/api/{**rest}", resources);
            app.Map("/apis/{**rest}", resources);
            app.MapFallback(ctx => Responses.WriteStatusAsync(ctx, ApiException.PathNotFound()));

            await app.StartAsync(ct);
            if (options.InsecurePort > 0) host.Url = $"http://{(options.Bind.Contains(':') ? $"[{options.Bind}]" : options.Bind)}:{options.InsecurePort}";
            if (pki is not null)
            {
                host.SecureUrl = SecureServing.Url(options);
                host.Pki = pki;
                host.AdminKubeconfig = pki.WriteAdminKubeconfig(options.DataDir, host.SecureUrl, time);
            }
            ready = true;
            return host;
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
    }

    /// <summary>Upstream's check names: <c>etcd</c> is the store answering reads, <c>etcd-readiness</c> its writes and compaction.</summary>
    private static void MapHealth(WebApplication app, IStore store, Func<bool> cacheReady)
    {
        var stopping = app.Lifetime.ApplicationStopping;
        var ping = new HealthCheck("ping", _ => ValueTask.FromResult<string?>(null));
        var reads = new HealthCheck("etcd", async ct =>
        {
            try
            {
                await Task.Run(async () => await store.GetAsync("/registry/health", ct), ct);
                return null;
            }
            catch (StorageException e)
            {
                return e.Message;
            }
        });
        var writes = new HealthCheck("etcd-readiness", ct => store is IStoreHealth health ? health.CheckAsync(ct) : ValueTask.FromResult<string?>(null));
        var informers = new HealthCheck("informer-sync", _ => ValueTask.FromResult(cacheReady() ? null : "the watch cache is not filled yet"));
        var shutdown = new HealthCheck("shutdown", _ => ValueTask.FromResult(stopping.IsCancellationRequested ? "process is shutting down" : null));
        var log = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(HealthEndpoints).FullName!);
        HealthEndpoints.Map(app, "/healthz", [ping, reads], log);
        HealthEndpoints.Map(app, "/livez", [ping, reads], log);
        HealthEndpoints.Map(app, "/readyz", [ping, reads, writes, informers, shutdown], log);
    }

    private static Task Dispatch(HttpContext ctx, ResourceRouter router)
    {
        var info = RequestInfo.Parse(ctx.Request.Path.Value ?? "");
        if (info is null) throw ApiException.PathNotFound();
        var q = QueryOptions.Parse(ctx.Request.Query, info.LegacyWatch);
        ctx.Items[typeof(RequestInfo)] = info;
        ctx.Items["verb"] = ResourceRouter.Verb(ctx.Request, info, q.Watch || info.LegacyWatch);
        return router.HandleAsync(ctx, info, q);
    }

    /// <summary>Stops gracefully (see the class summary); a second call does nothing.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        // StopAsync first raises ApplicationStopping (watches end, /readyz fails), then drains Kestrel for at most
        // HostOptions.ShutdownTimeout.
        try { await _app.StopAsync(); } catch (InvalidOperationException) { }
        await _app.DisposeAsync(); // disposes the watch cache too
        await _store.DisposeAsync();
    }
}
