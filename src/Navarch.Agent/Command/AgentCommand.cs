using System.CommandLine;
using System.Net;
using Navarch.Agent;
using Navarch.Agent.Containerd;
using Navarch.Agent.Images;
using Navarch.Agent.Node;
using Navarch.Agent.Probes;
using Navarch.Agent.Runtime;
using Navarch.Agent.Server;
using Navarch.Client.Events;

namespace Navarch.Commands;

/// <summary>
/// <c>navarch agent</c>: the node agent (kubelet) of one node. Stopping it (SIGTERM, Ctrl-C) leaves every
/// pod — and a containerd it started — running, so a restarted agent adopts them without restarting any.
/// </summary>
public static class AgentCommand
{
    public static Command Create()
    {
        var defaults = new AgentOptions();
        var server = new Option<string>("--server") { Description = "URL of the API server", DefaultValueFactory = _ => "http://127.0.0.1:8080" };
        var nodeName = new Option<string>("--node-name") { Description = "Name of this node", Required = true };
        var nodeIp = new Option<string>("--node-ip") { Description = "This node's address (InternalIP, pods' hostIP, the agent server's address)", Required = true };
        var runtimeKind = new Option<string>("--runtime") { Description = "containerd (real containers) or fake (runs nothing)", DefaultValueFactory = _ => "containerd" };
        runtimeKind.AcceptOnlyFromAmong("containerd", "fake");
        var endpoint = new Option<string?>("--runtime-endpoint") { Description = "CRI socket (unix:///PATH) of a running containerd; if none answers there the agent starts its own on it" };
        var dataDir = new Option<string>("--data-dir") { Description = "Directory of the agent's files (logs, containerd, certificates)", DefaultValueFactory = _ => defaults.DataDir };
        var port = new Option<int>("--port") { Description = "Port of the agent's server (logs, exec)", DefaultValueFactory = _ => defaults.Port };
        var podCidr = new Option<string?>("--pod-cidr") { Description = "Register the node with this pod CIDR instead of waiting for the controller manager's" };
        var podCidrWait = new Option<bool>("--pod-cidr-wait") { Description = "Start pods only once the node has a pod CIDR", DefaultValueFactory = _ => true };
        var cniConfDir = new Option<string?>("--cni-conf-dir") { Description = "CNI config directory of the runtime (default: that of the agent's own containerd)" };
        var noServer = new Option<bool>("--disable-server") { Description = "Do not serve logs and exec" };

        var command = new Command("agent", "Run the node agent: register the node and run the pods bound to it")
        {
            server, nodeName, nodeIp, runtimeKind, endpoint, dataDir, port, podCidr, podCidrWait, cniConfDir, noServer,
        };
        command.SetAction(async (result, ct) =>
        {
            var options = new AgentOptions
            {
                NodeName = result.GetValue(nodeName)!,
                NodeIp = result.GetValue(nodeIp)!,
                DataDir = Path.GetFullPath(result.GetValue(dataDir)!),
                Port = result.GetValue(port),
                PodCidr = result.GetValue(podCidr),
                WaitForPodCidr = result.GetValue(podCidrWait),
            };
            try { options.Validate(); }
            catch (ArgumentException e) { Console.Error.WriteLine($"navarch agent: {e.Message}"); return 2; }

            using var loggers = ControlPlaneFlags.Loggers();
            var fake = result.GetValue(runtimeKind) == "fake";
            RuntimeConnection? connection = null;
            ICriRuntime runtime;
            var network = new List<IPodNetworkSetup>();
            try
            {
                if (fake)
                {
                    runtime = new FakeRuntime(images: null);
                }
                else
                {
                    var containerd = new ContainerdOptions { DataDir = options.DataDir, SandboxImage = "docker.io/" + ImageRecipes.PauseName };
                    var paths = ContainerdPaths.For(containerd);
                    // Without an endpoint, look for the containerd an earlier agent started on this data dir first.
                    connection = await RuntimeConnection.OpenAsync(result.GetValue(endpoint) ?? Agent.Cri.RuntimeEndpoint.FromSocketPath(paths.Socket), containerd, loggers, ct);
                    runtime = connection.Runtime;
                    network.Add(new CniNetworkSetup(result.GetValue(cniConfDir) ?? paths.CniConfDir, Path.Combine(options.DataDir, "cni", "networks")));
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Console.Error.WriteLine($"navarch agent: cannot reach or start the container runtime: {e.Message}");
                return 1;
            }

            AgentServerStart? serve = result.GetValue(noServer) ? null : async (context, token) =>
                await AgentEndpoint.StartAsync(new AgentEndpointOptions
                {
                    Address = IPAddress.Parse(context.Options.NodeIp),
                    Port = context.Options.Port,
                    NodeName = context.Options.NodeName,
                    CertificateDirectory = Path.Combine(context.Options.DataDir, "pki"),
                }, context.Runtime, new RuntimeContainerLocator(context.Runtime), context.Loggers, TimeProvider.System, token);

            try
            {
                var client = ControlPlaneFlags.Client(result.GetValue(server)!);
                var shared = AgentShared.ForNode(client, options.NodeName, TimeProvider.System, loggers);
                // The fake runtime runs nothing a probe could reach: its containers count as ready.
                IProbeManager? probes = null;
                if (!fake)
                {
                    var recorder = new EventRecorder(client, "kubelet", options.NodeName);
                    probes = new ProbeManager(new Prober(runtime, TimeProvider.System), TimeProvider.System,
                        (pod, container, message) => _ = recorder.WarningAsync(pod, ProbeManager.UnhealthyReason, message));
                }
                var host = new AgentHost(options, runtime, shared, probes, network, serve);
                Console.Error.WriteLine($"navarch agent: node {options.NodeName} ({options.NodeIp}) on {(fake ? "the fake runtime" : connection!.Endpoint)}");
                using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
                var informers = shared.RunAsync(stop.Token);
                await host.RunAsync(stop.Token);
                await stop.CancelAsync();
                await informers;
                return 0;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return 0;
            }
            catch (Exception e)
            {
                Console.Error.WriteLine($"navarch agent: {e.Message}");
                return 1;
            }
            // The runtime connection is deliberately not disposed: that would stop a supervised containerd and
            // kill its shims, i.e. the pods. The next agent attaches to it.
        });
        return command;
    }
}
