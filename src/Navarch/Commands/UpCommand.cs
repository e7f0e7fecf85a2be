using System.CommandLine;
using System.Net;
using Navarch.Lab;
using Navarch.Lab.Config;

namespace Navarch.Commands;

/// <summary><c>navarch up [-f CONFIG]</c>: the seed's multi-node cluster on this machine (the lab), validated like kube-up.</summary>
public static class UpCommand
{
    public static Command Create()
    {
        var defaults = new LabOptions { SelfCommand = [] };
        var file = new Option<string?>("--file", "-f") { Description = $"Cluster config (kube-up style); default {LabConfigParser.DefaultConfigPath}" };
        var dataDir = new Option<string>("--data-dir") { Description = "Directory of the lab's state, data and logs", DefaultValueFactory = _ => defaults.DataDir };
        var port = new Option<int>("--port") { Description = "Host loopback port that forwards to the API server", DefaultValueFactory = _ => defaults.HostPort };
        var securePort = new Option<int>("--secure-port") { Description = "Host loopback port that forwards to the API server's TLS port (the lab's kubeconfig names it)", DefaultValueFactory = _ => defaults.HostSecurePort };
        var prefix = new Option<string>("--netns-prefix") { Description = "Prefix of the lab's network namespace names", DefaultValueFactory = _ => defaults.NamespacePrefix };
        var timeout = new Option<double>("--timeout-seconds") { Description = "How long to wait for the cluster to validate", DefaultValueFactory = _ => defaults.ReadyTimeout.TotalSeconds };
        var proxyMode = new Option<string>("--proxy-mode") { Description = "The agents' service proxy: userspace (the seed's relay ports and four chains) or iptables (kernel DNAT)", DefaultValueFactory = _ => defaults.ProxyMode };
        proxyMode.AcceptOnlyFromAmong("userspace", "iptables");
        var storage = new Option<string?>("--storage-backend") { Description = "The API servers' store: sqlite or etcd (one member per master); default sqlite with one master, etcd with several" };
        storage.AcceptOnlyFromAmong("sqlite", "etcd");
        var command = new Command("up", "Build the cluster of a config on this machine (nodes in network namespaces) and validate it") { file, dataDir, port, securePort, prefix, timeout, proxyMode, storage };
        command.SetAction(async (result, ct) =>
        {
            try
            {
                var config = result.GetValue(file) is { } path
                    ? LabConfigParser.Load(path)
                    : LabConfigParser.Parse(LabConfigParser.DefaultConfig(Environment.CurrentDirectory).Text, LabConfigParser.ProcessEnvironment());
                var options = new LabOptions
                {
                    DataDir = Path.GetFullPath(result.GetValue(dataDir)!),
                    HostPort = result.GetValue(port),
                    HostSecurePort = result.GetValue(securePort),
                    NamespacePrefix = result.GetValue(prefix)!,
                    ReadyTimeout = TimeSpan.FromSeconds(result.GetValue(timeout)),
                    ProxyMode = result.GetValue(proxyMode)!,
                    StorageBackend = result.GetValue(storage),
                    SelfCommand = SelfCommand(),
                };
                var outcome = await new LabUp(config, options, m => Console.Error.WriteLine($"navarch up: {m}")).RunAsync(ct);
                Console.Out.Write(outcome.AlreadyRunning ? outcome.Report + "\n" : outcome.Report);
                return 0;
            }
            catch (LabConfigException e) { return Fail($"config: {e.Message}", 2); }
            catch (LabException e) { return Fail(e.Message, 1); }
        });
        return command;
    }

    /// <summary>Hidden: the lab's loopback forwarder to the API server in the master's namespace (started by <c>up</c>).</summary>
    public static Command CreateForwarder()
    {
        var listen = new Option<int>("--listen") { Description = "Loopback port to listen on", Required = true };
        var netns = new Option<string>("--netns") { Description = "Network namespace path of the target", Required = true };
        var target = new Option<string>("--target") { Description = "IP:PORT inside that namespace, or several separated by commas (the first that accepts)", Required = true };
        var command = new Command(UpCommandNames.Forwarder, "Relay a loopback port to an address inside a network namespace") { listen, netns, target };
        command.Hidden = true;
        command.SetAction(async (result, ct) =>
        {
            var to = new List<IPEndPoint>();
            foreach (var word in result.GetValue(target)!.Split(','))
            {
                if (!IPEndPoint.TryParse(word, out var endpoint)) return Fail($"--target \"{word}\" is not IP:PORT", 2);
                to.Add(endpoint);
            }
            var forwarder = new LabForwarder(new IPEndPoint(IPAddress.Loopback, result.GetValue(listen)), result.GetValue(netns)!, to);
            Console.Error.WriteLine($"navarch {UpCommandNames.Forwarder}: 127.0.0.1:{result.GetValue(listen)} → {string.Join(", ", to)} in {result.GetValue(netns)}");
            try { await forwarder.RunAsync(ct); }
            catch (System.Net.Sockets.SocketException e) { return Fail($"cannot listen on 127.0.0.1:{result.GetValue(listen)}: {e.Message}", 1); }
            return 0;
        });
        return command;
    }

    /// <summary>How to start this very navarch again: its apphost, or dotnet with navarch.dll.</summary>
    internal static IReadOnlyList<string> SelfCommand()
    {
        var process = Environment.ProcessPath ?? "dotnet";
        return Path.GetFileNameWithoutExtension(process) == "dotnet"
            ? [process, Path.Combine(AppContext.BaseDirectory, "navarch.dll")]
            : [process];
    }

    private static int Fail(string message, int code)
    {
        Console.Error.WriteLine($"navarch up: {message.Split('\n')[0]}");
        var rest = message.IndexOf('\n');
        if (rest > 0) Console.Error.WriteLine(message[(rest + 1)..]);
        return code;
    }
}
