using System.CommandLine;
using Microsoft.Extensions.Logging;
using Navarch.ApiServer;
using Navarch.ApiServer.Hosting;

namespace Navarch.Commands;

/// <summary><c>navarch server</c>: the API server (later also the controller manager and scheduler).</summary>
public static class ServerCommand
{
    public static Command Create()
    {
        var defaults = new ApiServerOptions();
        var dataDir = new Option<string>("--data-dir") { Description = "Directory of the store (SQLite database)", DefaultValueFactory = _ => defaults.DataDir };
        var bind = new Option<string>("--bind") { Description = "Address to listen on (loopback or a lab address: the insecure port has no authentication)", DefaultValueFactory = _ => defaults.Bind };
        var port = new Option<int>("--insecure-port") { Description = "Port of the unauthenticated HTTP API on --bind (0: off)", DefaultValueFactory = _ => defaults.InsecurePort };
        var tls = new SecureServingFlags();
        var serviceRange = new Option<string>("--service-cluster-ip-range") { Description = "CIDR from which Services get cluster IPs", DefaultValueFactory = _ => defaults.ServiceClusterIpRange };
        var nodePorts = new Option<string>("--service-node-port-range") { Description = "Port range of NodePort Services", DefaultValueFactory = _ => defaults.ServiceNodePortRange };
        var watchCache = new Option<int>("--watch-cache-size") { Description = "Events per resource kept for resuming watches", DefaultValueFactory = _ => defaults.WatchCacheSize };
        var compaction = new Option<double>("--compaction-interval-seconds") { Description = "How often old store revisions are compacted", DefaultValueFactory = _ => defaults.CompactionInterval.TotalSeconds };
        var keep = new Option<long>("--compaction-keep-revisions") { Description = "Revisions of history kept by compaction", DefaultValueFactory = _ => defaults.CompactionKeepRevisions };
        var bookmarks = new Option<double>("--watch-bookmark-interval-seconds") { Description = "Idle time before a watch that allows bookmarks gets one", DefaultValueFactory = _ => defaults.WatchBookmarkInterval.TotalSeconds };

        var noControllers = new Option<bool>("--disable-controller-manager") { Description = "Do not run the control loops in this process" };
        var noScheduler = new Option<bool>("--disable-scheduler") { Description = "Do not run the scheduler in this process" };
        var controlPlane = new ControlPlaneFlags();

        var command = new Command("server", "Run the API server, and by default the controller manager and the scheduler")
        {
            dataDir, bind, port, serviceRange, nodePorts, watchCache, compaction, keep, bookmarks, noControllers, noScheduler,
        };
        controlPlane.AddTo(command);
        tls.AddTo(command);
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
                CompactionInterval = TimeSpan.FromSeconds(result.GetValue(compaction)),
                CompactionKeepRevisions = result.GetValue(keep),
                WatchBookmarkInterval = TimeSpan.FromSeconds(result.GetValue(bookmarks)),
            };
            tls.Apply(result, options);
            var controllerOptions = controlPlane.ControllerOptions(result);
            try
            {
                options.Validate();
                controllerOptions.Validate();
            }
            catch (ArgumentException e)
            {
                Console.Error.WriteLine($"navarch server: {e.Message}");
                return 2;
            }
            ApiServerHost server;
            try
            {
                server = await ApiServerHost.StartAsync(options, null, ct);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Console.Error.WriteLine($"navarch server: cannot start: {e.Message}");
                return 1;
            }
            await using var _ = server;
            if (server.Url.Length > 0) Console.Error.WriteLine($"navarch server: serving on {server.Url}");
            if (server.SecureUrl.Length > 0)
                Console.Error.WriteLine($"navarch server: serving on {server.SecureUrl}; admin kubeconfig: {server.AdminKubeconfig}");
            using var loggers = ControlPlaneFlags.Loggers();
            var loops = new List<Task> { Task.Delay(Timeout.Infinite, ct) };
            if (!result.GetValue(noControllers))
                loops.Add(ControlPlaneFlags.RunControllerManagerAsync(LoopClients.For(server, LoopClients.ControllerManager), controllerOptions, loggers, ct));
            if (!result.GetValue(noScheduler))
                loops.Add(ControlPlaneFlags.RunSchedulerAsync(LoopClients.For(server, LoopClients.Scheduler), loggers, ct));
            // Loops that finish are fine (nothing to do); one that fails ends the server.
            while (loops.Count > 0)
            {
                var finished = await Task.WhenAny(loops);
                loops.Remove(finished);
                if (finished.IsFaulted)
                {
                    Console.Error.WriteLine($"navarch server: a control loop stopped: {finished.Exception!.InnerException?.Message}");
                    return 1;
                }
                if (ct.IsCancellationRequested) break;
            }
            return 0;
        });
        return command;
    }
}
