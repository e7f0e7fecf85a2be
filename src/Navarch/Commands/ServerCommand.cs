using System.CommandLine;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Navarch.ApiServer;
using Navarch.ApiServer.Hosting;

namespace Navarch.Commands;

/// <summary>
/// <c>navarch server</c>: the API server, and by default the controller manager and the scheduler. SIGTERM or
/// Ctrl+C stops it gracefully: the control loops first (they write through the API), then the API server (watches
/// end cleanly, requests in flight finish, the store checkpoints its WAL); exit 0 within <see cref="StopBudget"/>.
/// </summary>
public static class ServerCommand
{
    /// <summary>How long the control loops get to stop before the API server stops under them anyway.</summary>
    private static readonly TimeSpan LoopStopTimeout = TimeSpan.FromSeconds(1.5);

    /// <summary>What a graceful stop takes at most: the loops, the request drain, and closing the store.</summary>
    public static readonly TimeSpan StopBudget = LoopStopTimeout + ApiServerHost.RequestDrainTimeout + TimeSpan.FromSeconds(1);

    /// <summary>System.CommandLine ends the process (exit 143) this long after SIGTERM if the action is still running;
    /// its default of 2 s cut every stop with a watch open short. Only a stuck stop should ever reach it.</summary>
    public static readonly TimeSpan ProcessTerminationTimeout = StopBudget + TimeSpan.FromSeconds(3);

    public static Command Create()
    {
        var defaults = new ApiServerOptions();
        var dataDir = new Option<string>("--data-dir") { Description = "Directory of the server's files (the SQLite database)", DefaultValueFactory = _ => defaults.DataDir };
        var bind = new Option<string>("--bind") { Description = "Address to listen on (loopback or a lab address: the insecure port has no authentication)", DefaultValueFactory = _ => defaults.Bind };
        var port = new Option<int>("--insecure-port") { Description = "Port of the unauthenticated HTTP API on --bind (0: off)", DefaultValueFactory = _ => defaults.InsecurePort };
        var tls = new SecureServingFlags();
        var admission = new AdmissionFlags();
        var serviceRange = new Option<string>("--service-cluster-ip-range") { Description = "CIDR from which Services get cluster IPs", DefaultValueFactory = _ => defaults.ServiceClusterIpRange };
        var nodePorts = new Option<string>("--service-node-port-range") { Description = "Port range of NodePort Services", DefaultValueFactory = _ => defaults.ServiceNodePortRange };
        var watchCache = new Option<int>("--watch-cache-size") { Description = "Events per resource kept for resuming watches", DefaultValueFactory = _ => defaults.WatchCacheSize };
        var masterLease = new Option<double>("--master-lease-ttl-seconds") { Description = "How long a stopped or killed API server stays in the kubernetes Service's endpoints", DefaultValueFactory = _ => defaults.MasterLeaseTtl.TotalSeconds };
        var bookmarks = new Option<double>("--watch-bookmark-interval-seconds") { Description = "Idle time before a watch that allows bookmarks gets one", DefaultValueFactory = _ => defaults.WatchBookmarkInterval.TotalSeconds };

        var noControllers = new Option<bool>("--disable-controller-manager") { Description = "Do not run the control loops in this process" };
        var noScheduler = new Option<bool>("--disable-scheduler") { Description = "Do not run the scheduler in this process" };
        var election = new LeaderElectionFlags();
        var controlPlane = new ControlPlaneFlags();
        var clusterDns = new ClusterDnsFlags();
        var serviceAccounts = new ServiceAccountFlags();

        var command = new Command("server", "Run the API server, and by default the controller manager and the scheduler")
        {
            dataDir, bind, port, serviceRange, nodePorts, watchCache, masterLease, bookmarks, noControllers, noScheduler,
        };
        var storage = new StorageFlags();
        storage.AddTo(command);
        controlPlane.AddTo(command);
        election.AddTo(command);
        clusterDns.AddTo(command);
        tls.AddTo(command);
        admission.AddTo(command);
        serviceAccounts.AddTo(command);
        var kubelet = new KubeletClientFlags();
        kubelet.AddTo(command);
        command.SetAction(async (result, ct) =>
        {
            var options = new ApiServerOptions
            {
                DataDir = result.GetValue(dataDir)!,
                Bind = result.GetValue(bind)!,
                InsecurePort = result.GetValue(port),
                ServiceClusterIpRange = result.GetValue(serviceRange)!,
                ServiceNodePortRange = result.GetValue(nodePorts)!,
                WatchCacheSize = result.GetValue(watchCache),
                WatchBookmarkInterval = TimeSpan.FromSeconds(result.GetValue(bookmarks)),
                MasterLeaseTtl = TimeSpan.FromSeconds(result.GetValue(masterLease)),
            };
            tls.Apply(result, options);
            admission.Apply(result, options);
            serviceAccounts.Apply(result, options);
            options.Kubelet = kubelet.Options(result);
            var controllerOptions = controlPlane.ControllerOptions(result);
            Navarch.Dns.ClusterDnsOptions? dnsOptions;
            Navarch.Client.LeaderElection.LeaderElectionConfig? elect;
            try
            {
                options.Storage = storage.Settings(result);
                options.ClusterSigningDuration = kubelet.SigningDuration(result);
                options.Validate();
                controllerOptions.Validate();
                // Several servers (and so several controller managers and schedulers) can run only on etcd.
                elect = election.Config(result, electByDefault: options.Storage.Backend == Navarch.Storage.StoreFactory.Etcd);
                dnsOptions = clusterDns.Options(result, options.Bind);
            }
            catch (ArgumentException e)
            {
                Console.Error.WriteLine($"navarch server: {e.Message}");
                return 2;
            }
            using var loggers = ControlPlaneFlags.Loggers();
            ApiServerHost server;
            try
            {
                server = await ApiServerHost.StartAsync(options, loggers, ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return 0;
            }
            catch (Exception e)
            {
                Console.Error.WriteLine($"navarch server: cannot start: {e.Message.ReplaceLineEndings(" ")}");
                return 1;
            }
            await using var dnsHost = dnsOptions is null ? null : await StartDnsAsync(server, dnsOptions, options.ServiceClusterIpRange, loggers, ct);
            if (dnsOptions is not null && dnsHost is null)
            {
                await server.DisposeAsync();
                return 1;
            }
            try
            {
                if (server.Url.Length > 0) Console.Error.WriteLine($"navarch server: serving on {server.Url}");
                if (server.SecureUrl.Length > 0)
                    Console.Error.WriteLine($"navarch server: serving on {server.SecureUrl}; admin kubeconfig: {server.AdminKubeconfig}");
                ServiceAccountFlags.ApplyToControllers(server, options, controllerOptions);
                if (server.JoinCommand is { } join)
                    Console.Error.WriteLine($"navarch server: to join a node: {join}");
                using var stopLoops = CancellationTokenSource.CreateLinkedTokenSource(ct);
                var loops = new List<Task>();
                if (!result.GetValue(noControllers))
                    loops.Add(ControlPlaneFlags.RunControllerManagerAsync(LoopClients.ControllerManager(server), controllerOptions, loggers, elect, stopLoops.Token));
                if (!result.GetValue(noScheduler))
                    loops.Add(ControlPlaneFlags.RunSchedulerAsync(LoopClients.Scheduler(server), loggers, elect, stopLoops.Token));
                var failed = await UntilStoppedAsync(loops, ct);
                var stopping = Stopwatch.StartNew();
                await stopLoops.CancelAsync();
                await Task.WhenAny(Task.WhenAll(loops), Task.Delay(LoopStopTimeout, CancellationToken.None));
                await server.DisposeAsync();
                Console.Error.WriteLine($"navarch server: stopped in {stopping.ElapsedMilliseconds} ms");
                return failed ? 1 : 0;
            }
            finally
            {
                await server.DisposeAsync(); // once more on an unexpected failure; a no-op after the stop above
            }
        });
        return command;
    }

    /// <summary>Starts cluster DNS beside the API server when asked; null (after a one-line error) when it cannot.</summary>
    private static async Task<Navarch.Dns.Hosting.ClusterDnsHost?> StartDnsAsync(ApiServerHost server, Navarch.Dns.ClusterDnsOptions dnsOptions,
        string serviceRange, ILoggerFactory loggers, CancellationToken ct)
    {
        try
        {
            return await ClusterDnsFlags.StartAsync(LoopClients.ClusterDns(server), LoopClients.ApiServerLoopback(server), dnsOptions, serviceRange, loggers, ct);
        }
        catch (Exception e) when (e is System.Net.Sockets.SocketException or ArgumentException)
        {
            Console.Error.WriteLine($"navarch server: cannot serve cluster DNS: {e.Message}");
            return null;
        }
    }

    /// <summary>Waits for SIGTERM (<paramref name="ct"/>) or a failed loop; returns whether a loop failed. Loops that
    /// finish are fine (nothing to do).</summary>
    private static async Task<bool> UntilStoppedAsync(List<Task> loops, CancellationToken ct)
    {
        var stopped = Task.Delay(Timeout.Infinite, ct);
        var running = new List<Task>(loops) { stopped };
        while (true)
        {
            var finished = await Task.WhenAny(running);
            if (finished == stopped) return false;
            running.Remove(finished);
            if (finished.IsFaulted)
            {
                Console.Error.WriteLine($"navarch server: a control loop stopped: {finished.Exception!.InnerException?.Message}");
                return true;
            }
        }
    }
}
