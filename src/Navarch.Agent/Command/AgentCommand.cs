using System.CommandLine;
using System.Net;
using Microsoft.Extensions.Logging;
using Navarch.Agent.Containerd;
using Navarch.Cri;
using Navarch.Images;
using Navarch.Agent.Node;
using Navarch.Agent.Probes;
using Navarch.Agent.Runtime;
using Navarch.Agent.Server;
using Navarch.Client.Events;

namespace Navarch.Agent.Command;

/// <summary>
/// <c>navarch agent</c>: the node agent (kubelet) and service proxy of one node. Stopping it (SIGTERM, Ctrl-C) leaves
/// every pod, a containerd it started and the proxy's rules in place, so a restarted agent adopts them without
/// restarting any. The same command is the whole of the ahead-of-time compiled <c>navarch-agent</c>.
/// </summary>
public static class AgentCommand
{
    private const string Description = "Run the node agent: register the node, run the pods bound to it, proxy the services";

    /// <summary>The <c>agent</c> subcommand of <c>navarch</c>.</summary>
    public static System.CommandLine.Command Create() => Configure(new System.CommandLine.Command("agent", Description));

    /// <summary>The root command of <c>navarch-agent</c>: the same options and action.</summary>
    public static RootCommand CreateRoot() => Configure(new RootCommand(Description));

    private static T Configure<T>(T command) where T : System.CommandLine.Command
    {
        var defaults = new AgentOptions();
        var server = new Option<string>("--server") { Description = "URL of the API server, or several separated by commas (tried in turn)", DefaultValueFactory = _ => "http://127.0.0.1:8080" };
        var kubeconfig = new Option<string?>("--kubeconfig") { Description = "Kubeconfig with the server and this agent's credentials (instead of --server)" };
        // Required unless --cleanup: checked with the other options, so the message is the same either way.
        var nodeName = new Option<string?>("--node-name") { Description = "Name of this node (required)" };
        var nodeIp = new Option<string?>("--node-ip") { Description = "This node's address (InternalIP, pods' hostIP, the agent server's address; required)" };
        var runtimeKind = new Option<string>("--runtime") { Description = "containerd (real containers) or fake (runs nothing)", DefaultValueFactory = _ => "containerd" };
        runtimeKind.AcceptOnlyFromAmong("containerd", "fake");
        var endpoint = new Option<string?>("--runtime-endpoint") { Description = "CRI socket (unix:///PATH) of a running containerd; if none answers there the agent starts its own on it" };
        var dataDir = new Option<string>("--data-dir") { Description = "Directory of the agent's files (logs, containerd, certificates)", DefaultValueFactory = _ => defaults.DataDir };
        var port = new Option<int>("--port") { Description = "Port of the agent's server (logs, exec)", DefaultValueFactory = _ => defaults.Port };
        var podCidr = new Option<string?>("--pod-cidr") { Description = "Register the node with this pod CIDR instead of waiting for the controller manager's" };
        var podCidrWait = new Option<bool>("--pod-cidr-wait") { Description = "Start pods only once the node has a pod CIDR", DefaultValueFactory = _ => true };
        var cniConfDir = new Option<string?>("--cni-conf-dir") { Description = "CNI config directory of the runtime (default: that of the agent's own containerd)" };
        var noServer = new Option<bool>("--disable-server") { Description = "Do not serve logs and exec" };
        var proxyMode = new Option<string?>("--proxy-mode") { Description = "Service proxy: iptables (kernel DNAT), userspace (the seed's relay ports) or none [default: iptables; none with --runtime fake]" };
        proxyMode.AcceptOnlyFromAmong("iptables", "userspace", "none");
        var clusterCidr = new Option<string?>("--cluster-cidr") { Description = "The pod network (e.g. 10.244.0.0/16): the proxy masquerades traffic to cluster IPs from outside it" };
        var cleanup = new Option<bool>("--cleanup") { Description = "Remove the service proxy's iptables rules (both modes) and exit" };
        var clusterDns = new Option<string?>("--cluster-dns") { Description = "Comma-separated IPs of the cluster DNS (kube-dns's cluster IP) for pods with dnsPolicy ClusterFirst; none: they get the node's resolv.conf" };
        var clusterDomain = new Option<string>("--cluster-domain") { Description = "The cluster's DNS domain, in pods' search path", DefaultValueFactory = _ => Pods.ClusterDnsSettings.DefaultDomain };

        var syncFrequency = new Option<string>("--sync-frequency")
        {
            Description = "How often configMap, secret, downwardAPI and projected volumes are refreshed in running pods (a Go duration)",
            DefaultValueFactory = _ => Pods.GoDuration.Format(defaults.SyncFrequency),
        };

        var auth = new AgentAuthFlags();
        auth.AddTo(command);
        var join = new AgentJoinFlags();
        join.AddTo(command);
        foreach (var option in new Option[] { server, kubeconfig, nodeName, nodeIp, runtimeKind, endpoint, dataDir, port, podCidr, podCidrWait, cniConfDir, noServer, proxyMode, clusterCidr, cleanup, clusterDns, clusterDomain, syncFrequency })
            command.Options.Add(option);
        command.SetAction(async (result, ct) =>
        {
            if (result.GetValue(cleanup)) return await ProxyWiring.CleanupAsync(ct);
            Pods.ClusterDnsSettings dns;
            TimeSpan sync;
            try
            {
                dns = Pods.ClusterDnsSettings.Parse(result.GetValue(clusterDns), result.GetValue(clusterDomain));
                sync = Pods.GoDuration.Parse(result.GetValue(syncFrequency)!);
            }
            catch (Exception e) when (e is ArgumentException or FormatException)
            {
                Console.Error.WriteLine($"navarch agent: {(e is FormatException ? "--sync-frequency: " : "")}{e.Message}");
                return 2;
            }
            var options = new AgentOptions
            {
                ClusterDns = dns.Servers.Count > 0 ? dns : null,
                NodeName = result.GetValue(nodeName) ?? "",
                NodeIp = result.GetValue(nodeIp) ?? "",
                DataDir = Path.GetFullPath(result.GetValue(dataDir)!),
                Port = result.GetValue(port),
                PodCidr = result.GetValue(podCidr),
                WaitForPodCidr = result.GetValue(podCidrWait),
                SyncFrequency = sync,
            };
            var fake = result.GetValue(runtimeKind) == "fake";
            ProxySettings proxy;
            try
            {
                options.Validate();
                auth.Validate(result);
                proxy = ProxySettings.Parse(result.GetValue(proxyMode), result.GetValue(clusterCidr), fake, options);
            }
            catch (ArgumentException e) { Console.Error.WriteLine($"navarch agent: {e.Message}"); return 2; }
            AgentProcess.Settle();
            AgentJson.Install();
            // Join (or use the certificate of an earlier join) before anything starts: a failed join leaves nothing behind.
            k8s.KubernetesClientConfiguration config;
            Certificates.NodeCredentials? joined = null;
            var plainServers = false;
            try
            {
                config = result.GetValue(kubeconfig) is { } file
                    ? Navarch.Client.ClientConfigurations.FromKubeconfig(file)
                    : (joined = await join.ConfigureAsync(result, result.GetValue(server)!, options.NodeName, options.DataDir, ct))?.Config
                      ?? PlainServers();
                k8s.KubernetesClientConfiguration PlainServers()
                {
                    plainServers = true;
                    return Navarch.Client.ClientConfigurations.ForUrl(result.GetValue(server)!.Split(',')[0].Trim());
                }
            }
            catch (Certificates.JoinException e)
            {
                Console.Error.WriteLine($"navarch agent: {e.Message}");
                return 1;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                var fromFile = result.GetValue(kubeconfig) is not null;
                Console.Error.WriteLine($"navarch agent: {(fromFile ? "--kubeconfig: " : "")}{e.Message.ReplaceLineEndings(" ")}");
                return fromFile ? 2 : 1;
            }

            using var loggers = ConsoleLogging.Create();
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
                    var paths = containerd.Paths();
                    // Without an endpoint, look for the containerd an earlier agent started on this data dir first.
                    connection = await RuntimeConnection.OpenAsync(result.GetValue(endpoint) ?? RuntimeEndpoint.FromSocketPath(paths.Socket), containerd, loggers, ct);
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
            {
                var security = await auth.ResolveAsync(result, config, context.Client, token);
                if (security is null)
                    Console.Error.WriteLine("navarch agent: the cluster has no CA (its API server has no secure port): the agent server accepts every request, as its API server does");
                var pki = Path.Combine(context.Options.DataDir, "pki");
                var serving = auth.ServingCertificate(result);
                // A cluster with a CA checks agents' serving certificates: ask it for one unless the flags gave one.
                var requester = serving is null && security is not null
                    ? new Certificates.ServingCertificateRequester(context.Client, context.Options.NodeName, IPAddress.Parse(context.Options.NodeIp), pki,
                        security.ClientCas, TimeProvider.System, context.Loggers.CreateLogger("Navarch.Agent.Certificates"))
                    : null;
                serving ??= requester?.Stored();
                var endpoint = await AgentEndpoint.StartAsync(new AgentEndpointOptions
                {
                    Address = IPAddress.Parse(context.Options.NodeIp),
                    Port = context.Options.Port,
                    NodeName = context.Options.NodeName,
                    CertificateDirectory = pki,
                    ServingCertificate = serving,
                    Auth = security,
                }, context.Runtime, new RuntimeContainerLocator(context.Runtime), context.Loggers, TimeProvider.System, token);
                if (requester is not null) _ = Task.Run(() => requester.RunAsync(serving, endpoint.ReplaceCertificate, token), CancellationToken.None);
                return endpoint;
            };

            try
            {
                // A plain --server list (no kubeconfig, no join) fails over between the servers it names.
                // A joined node's client changes its certificate as it is renewed.
                var client = plainServers ? Navarch.Client.ClientConfigurations.ForServers(result.GetValue(server)!)
                    : joined?.CreateClient() ?? new k8s.Kubernetes(config);
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
                var serviceProxy = ProxyWiring.Create(proxy, client, shared.Services, loggers);
                Console.Error.WriteLine($"navarch agent: node {options.NodeName} ({options.NodeIp}) on {(fake ? "the fake runtime" : connection!.Endpoint)}, service proxy {proxy.Mode.ToString().ToLowerInvariant()}");
                using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
                var informers = shared.RunAsync(stop.Token);
                var proxying = serviceProxy?.RunAsync(stop.Token) ?? Task.CompletedTask;
                var rotating = joined?.RotateAsync(client, loggers, stop.Token) ?? Task.CompletedTask;
                await host.RunAsync(stop.Token);
                await stop.CancelAsync();
                await Task.WhenAll(informers, proxying, rotating);
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
