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
        var dataDir = new Option<string>("--data-dir") { Description = "Directory of the server's files (the SQLite database)", DefaultValueFactory = _ => defaults.DataDir };
        var bind = new Option<string>("--bind") { Description = "Address to listen on (loopback or a lab address: the insecure port has no authentication)", DefaultValueFactory = _ => defaults.Bind };
        var port = new Option<int>("--insecure-port") { Description = "Port of the unauthenticated HTTP API", DefaultValueFactory = _ => defaults.InsecurePort };
        var serviceRange = new Option<string>("--service-cluster-ip-range") { Description = "CIDR from which Services get cluster IPs", DefaultValueFactory = _ => defaults.ServiceClusterIpRange };
        var nodePorts = new Option<string>("--service-node-port-range") { Description = "Port range of NodePort Services", DefaultValueFactory = _ => defaults.ServiceNodePortRange };
        var watchCache = new Option<int>("--watch-cache-size") { Description = "Events per resource kept for resuming watches", DefaultValueFactory = _ => defaults.WatchCacheSize };
        var masterLease = new Option<double>("--master-lease-ttl-seconds") { Description = "How long a stopped or killed API server stays in the kubernetes Service's endpoints", DefaultValueFactory = _ => defaults.MasterLeaseTtl.TotalSeconds };
        var bookmarks = new Option<double>("--watch-bookmark-interval-seconds") { Description = "Idle time before a watch that allows bookmarks gets one", DefaultValueFactory = _ => defaults.WatchBookmarkInterval.TotalSeconds };

        var noControllers = new Option<bool>("--disable-controller-manager") { Description = "Do not run the control loops in this process" };
        var noScheduler = new Option<bool>("--disable-scheduler") { Description = "Do not run the scheduler in this process" };
        var leaderElect = ControlPlaneFlags.LeaderElectOption();
        var controlPlane = new ControlPlaneFlags();

        var command = new Command("server", "Run the API server, and by default the controller manager and the scheduler")
        {
            dataDir, bind, port, serviceRange, nodePorts, watchCache, masterLease, bookmarks, noControllers, noScheduler, leaderElect,
        };
        var storage = new StorageFlags();
        storage.AddTo(command);
        controlPlane.AddTo(command);
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
            var controllerOptions = controlPlane.ControllerOptions(result);
            try
            {
                options.Storage = storage.Settings(result);
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
            Console.Error.WriteLine($"navarch server: serving on {server.Url}");
            using var loggers = ControlPlaneFlags.Loggers();
            // Several servers (and so several controller managers and schedulers) can run only on etcd.
            var elect = result.GetValue(leaderElect) ?? options.Storage.Backend == Navarch.Storage.StoreFactory.Etcd;
            var loops = new List<Task> { Task.Delay(Timeout.Infinite, ct) };
            if (!result.GetValue(noControllers)) loops.Add(ControlPlaneFlags.RunControllerManagerAsync(server.Url, controllerOptions, loggers, elect, ct));
            if (!result.GetValue(noScheduler)) loops.Add(ControlPlaneFlags.RunSchedulerAsync(server.Url, loggers, elect, ct));
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
