using System.CommandLine;
using k8s;
using Microsoft.Extensions.Logging;
using Navarch.Client;
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

    public void AddTo(Command command)
    {
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
    };

    public static IKubernetes Client(string url) => ClientConfigurations.ForUrl(url).Client();

    public static ILoggerFactory Loggers() => Navarch.Agent.Command.ConsoleLogging.Create();

    public static Task RunControllerManagerAsync(string url, ControllerManagerOptions options, ILoggerFactory loggers, CancellationToken ct) =>
        RunControllerManagerAsync(Client(url), options, loggers, ct);

    public static Task RunControllerManagerAsync(IKubernetes client, ControllerManagerOptions options, ILoggerFactory loggers, CancellationToken ct) =>
        ControllerManager.RunAsync(client, options, TimeProvider.System, loggers, ct);

    public static Task RunSchedulerAsync(string url, ILoggerFactory loggers, CancellationToken ct) => RunSchedulerAsync(Client(url), loggers, ct);

    public static Task RunSchedulerAsync(IKubernetes client, ILoggerFactory loggers, CancellationToken ct) =>
        SchedulerHost.RunAsync(client, new SchedulerOptions(), TimeProvider.System, loggers, ct);
}
