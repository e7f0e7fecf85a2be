using System.CommandLine;
using k8s;
using Microsoft.Extensions.Logging;
using Navarch.Client;
using Navarch.Client.LeaderElection;
using Navarch.Controllers;
using Navarch.Scheduler;

namespace Navarch.Commands;

/// <summary>The flags of the controller manager and scheduler, shared by <c>server</c> and the stand-alone commands.</summary>
public sealed class ControlPlaneFlags
{
    private static readonly ControllerManagerOptions Defaults = new();

    public Option<string> ClusterCidr { get; } = new("--cluster-cidr") { Description = "Pod network; each node gets a subnet of it", DefaultValueFactory = _ => Defaults.ClusterCidr };
    public Option<int> NodeCidrMaskSize { get; } = new("--node-cidr-mask-size") { Description = "Prefix length of each node's pod subnet", DefaultValueFactory = _ => Defaults.NodeCidrMaskSize };
    public Option<double> NodeMonitorGracePeriod { get; } = new("--node-monitor-grace-period-seconds") { Description = "Seconds without a heartbeat before a node is NotReady", DefaultValueFactory = _ => Defaults.NodeMonitorGracePeriod.TotalSeconds };
    public Option<double> NodeMonitorPeriod { get; } = new("--node-monitor-period-seconds") { Description = "Seconds between node health checks", DefaultValueFactory = _ => Defaults.NodeMonitorPeriod.TotalSeconds };

    public Option<string?> RootCaFile { get; } = new("--root-ca-file") { Description = "Cluster CA (PEM) that kube-root-ca.crt and token Secrets carry" };
    public Option<string?> ServiceAccountKeyFile { get; } = new("--service-account-private-key-file") { Description = "PEM RSA private key that signs legacy ServiceAccount token Secrets" };

    public void AddTo(Command command)
    {
        command.Options.Add(RootCaFile);
        command.Options.Add(ServiceAccountKeyFile);
        command.Options.Add(ClusterCidr);
        command.Options.Add(NodeCidrMaskSize);
        command.Options.Add(NodeMonitorGracePeriod);
        command.Options.Add(NodeMonitorPeriod);
    }

    public ControllerManagerOptions ControllerOptions(ParseResult result) => new()
    {
        ClusterCidr = result.GetValue(ClusterCidr)!,
        NodeCidrMaskSize = result.GetValue(NodeCidrMaskSize),
        NodeMonitorGracePeriod = TimeSpan.FromSeconds(result.GetValue(NodeMonitorGracePeriod)),
        NodeMonitorPeriod = TimeSpan.FromSeconds(result.GetValue(NodeMonitorPeriod)),
        RootCaFile = result.GetValue(RootCaFile),
        ServiceAccountPrivateKeyFile = result.GetValue(ServiceAccountKeyFile),
    };

    public static IKubernetes Client(string url) => ClientConfigurations.ForUrl(url).Client();

    public static ILoggerFactory Loggers() => Navarch.Agent.Command.ConsoleLogging.Create();

    public static Task RunControllerManagerAsync(string url, ControllerManagerOptions options, ILoggerFactory loggers, LeaderElectionConfig? election, CancellationToken ct) =>
        RunControllerManagerAsync(Client(url), options, loggers, election, ct);

    public static Task RunControllerManagerAsync(IKubernetes client, ControllerManagerOptions options, ILoggerFactory loggers, LeaderElectionConfig? election, CancellationToken ct) =>
        RunControllerManagerAsync(ControllerClients.Shared(client), options, loggers, election, ct);

    /// <summary>Runs the controller manager; the election and the informers use its own client, each controller its account's.</summary>
    public static Task RunControllerManagerAsync(ControllerClients clients, ControllerManagerOptions options, ILoggerFactory loggers, LeaderElectionConfig? election, CancellationToken ct) =>
        RunElectedAsync(clients.Manager, "kube-controller-manager", election, loggers,
            c => ControllerManager.RunAsync(clients, options, TimeProvider.System, loggers, c), ct);

    public static Task RunSchedulerAsync(string url, ILoggerFactory loggers, LeaderElectionConfig? election, CancellationToken ct) =>
        RunSchedulerAsync(Client(url), loggers, election, ct);

    public static Task RunSchedulerAsync(IKubernetes client, ILoggerFactory loggers, LeaderElectionConfig? election, CancellationToken ct) =>
        RunElectedAsync(client, "kube-scheduler", election, loggers,
            c => SchedulerHost.RunAsync(client, new SchedulerOptions(), TimeProvider.System, loggers, c), ct);

    /// <summary>Runs <paramref name="run"/> only while holding the kube-system lease <paramref name="lease"/> (upstream's names),
    /// or at once without election (<paramref name="election"/> null).</summary>
    private static Task RunElectedAsync(IKubernetes client, string lease, LeaderElectionConfig? election, ILoggerFactory loggers, Func<CancellationToken, Task> run, CancellationToken ct)
    {
        if (election is null) return run(ct);
        var elector = new LeaderElector(new LeaseLock(client, "kube-system", lease), election, TimeProvider.System, loggers.CreateLogger("Navarch.LeaderElection"));
        return elector.RunAsync(run, ct);
    }
}
