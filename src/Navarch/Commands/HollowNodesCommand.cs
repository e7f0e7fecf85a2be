using System.CommandLine;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Navarch.Agent;
using Navarch.Agent.Node;
using Navarch.Agent.Runtime;
using Navarch.Cri;
using Navarch.Client.Informers;

namespace Navarch.Commands;

/// <summary>
/// <c>navarch hollow-nodes</c>: many fake node agents in one process for scale tests (upstream's kubemark).
/// Every node registers, heartbeats and runs its pods on a <see cref="FakeRuntime"/> (Running, with an IP of
/// its pod CIDR). To stay cheap they share one API client, one pod watch, one service watch and one
/// heartbeat wheel; each has its own runtime and pod queue.
/// </summary>
public static class HollowNodesCommand
{
    public static Command Create()
    {
        var server = new Option<string>("--server") { Description = "URL of the API server", DefaultValueFactory = _ => "http://127.0.0.1:8080" };
        var count = new Option<int>("--count") { Description = "How many nodes", Required = true };
        var prefix = new Option<string>("--name-prefix") { Description = "Node names are PREFIX0, PREFIX1, ...", DefaultValueFactory = _ => "hollow-" };
        var dataDir = new Option<string>("--data-dir") { Description = "Directory of the nodes' files", DefaultValueFactory = _ => Path.Combine(Path.GetTempPath(), "navarch-hollow") };
        var command = new Command("hollow-nodes", "Run many fake node agents in one process (scale tests)") { server, count, prefix, dataDir };
        command.SetAction(async (result, ct) =>
        {
            var n = result.GetValue(count);
            if (n is < 1 or > 100_000) { Console.Error.WriteLine("navarch hollow-nodes: --count must be between 1 and 100000"); return 2; }
            var names = Enumerable.Range(0, n).Select(i => result.GetValue(prefix) + i).ToList();
            try
            {
                foreach (var name in names) Options(name, 0, "/tmp").Validate();
            }
            catch (ArgumentException e) { Console.Error.WriteLine($"navarch hollow-nodes: {e.Message}"); return 2; }

            using var loggers = ControlPlaneFlags.Loggers();
            try
            {
                await RunAsync(result.GetValue(server)!, names, result.GetValue(dataDir)!, loggers, ct);
                return 0;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return 0;
            }
            catch (Exception e)
            {
                Console.Error.WriteLine($"navarch hollow-nodes: {e.Message}");
                return 1;
            }
        });
        return command;
    }

    /// <summary>Runs the hollow nodes named <paramref name="names"/> until cancelled.</summary>
    public static async Task RunAsync(string url, IReadOnlyList<string> names, string dataDir, ILoggerFactory loggers, CancellationToken ct)
    {
        var client = ControlPlaneFlags.Client(url);
        var time = TimeProvider.System;
        // One watch of all bound pods for every node: each node's loop picks its own by spec.nodeName.
        var shared = new AgentShared(
            client,
            new Informer<V1Pod>(ListWatches.For<V1Pod>(client), TimeSpan.Zero, time, loggers.CreateLogger("Navarch.Hollow.Pods")),
            new Informer<V1Service>(ListWatches.For<V1Service>(client), TimeSpan.Zero, time, loggers.CreateLogger("Navarch.Hollow.Services")),
            new HeartbeatWheel(time, loggers.CreateLogger<HeartbeatWheel>()),
            time,
            loggers);
        var machine = MachineInfo.Read("/", Directory.CreateDirectory(dataDir).FullName);
        var hosts = names.Select((name, i) => new AgentHost(Options(name, i, dataDir), new FakeRuntime(), shared, machine: machine)).ToList();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var informers = shared.RunAsync(stop.Token);
        Console.Error.WriteLine($"navarch hollow-nodes: {names.Count} nodes ({names[0]} … {names[^1]}) against {url}");
        await Task.WhenAll(hosts.Select(h => Task.Run(() => h.RunAsync(stop.Token), CancellationToken.None)));
        await stop.CancelAsync();
        await informers;
    }

    /// <summary>A hollow node's options: loopback node IP (nothing ever connects to it), no logs, slow relists, one worker.</summary>
    private static AgentOptions Options(string name, int index, string dataDir) => new()
    {
        NodeName = name,
        NodeIp = $"127.{1 + index / 65536}.{index / 256 % 256}.{index % 256}",
        DataDir = dataDir,
        KeepPodLogs = false,
        Workers = 1,
        RelistPeriod = TimeSpan.FromSeconds(10),
    };
}
