using k8s;
using Microsoft.Extensions.Logging;
using Navarch.Client.Informers;

namespace Navarch.Controllers;

/// <summary>
/// Runs every control loop against an API server, over HTTP with the official client (even in the same
/// process as the server): the loops only ever see the API.
/// </summary>
public static partial class ControllerManager
{
    /// <summary>
    /// The loops, in start order, each with the ServiceAccount it runs as (upstream's names: the controller's
    /// <c>system:controller:NAME</c> role holds what it may do; null: the manager's own identity, as upstream's token
    /// controller uses the root client). Each controller adds its one line here (null loop: not run with these options).
    /// </summary>
    private static readonly IReadOnlyList<(string? Account, Func<ControllerContext, IControllerLoop?> Create)> Loops =
    [
        ("replication-controller", ctx => new ReplicaSet.ReplicaSetController(ctx, new ReplicationManager.ReplicationControllerKind(ctx.Client, ctx.Informers.ReplicationControllers))),
        ("replicaset-controller", ctx => new ReplicaSet.ReplicaSetController(ctx, new ReplicaSet.ReplicaSetKind(ctx.Client, ctx.Informers.ReplicaSets))),
        ("deployment-controller", ctx => new Deployment.DeploymentController(ctx)),
        ("daemon-set-controller", ctx => new DaemonSet.DaemonSetController(ctx)),
        ("job-controller", ctx => new Job.JobController(ctx)),
        ("cronjob-controller", ctx => new CronJob.CronJobController(ctx)),
        ("generic-garbage-collector", ctx => new GarbageCollector.GarbageCollectorController(ctx)),
        ("namespace-controller", ctx => new Namespace.NamespaceController(ctx)),
        ("endpoint-controller", ctx => new Endpoints.EndpointsController(ctx)),
        ("endpointslice-controller", ctx => new EndpointSlices.EndpointSliceController(ctx)),
        // Node IPAM and taint eviction use the node controller's account, as upstream's do.
        ("node-controller", ctx => new NodeIpam.NodeIpamController(ctx)),
        ("node-controller", ctx => new NodeLifecycle.NodeLifecycleController(ctx)),
        ("node-controller", ctx => new NodeLifecycle.TaintEvictionController(ctx)),
        ("service-account-controller", ctx => new ServiceAccounts.ServiceAccountController(ctx)),
        ("root-ca-cert-publisher", ctx => ctx.Options.RootCaFile is { } ca ? new ServiceAccounts.RootCaPublisher(ctx, File.ReadAllText(ca)) : null),
        (null, ctx => ctx.Options.ServiceAccountPrivateKeyFile is { } key
            ? new ServiceAccounts.TokensController(ctx, key, ctx.Options.RootCaFile is { } ca ? File.ReadAllText(ca) : null) : null),
    ];

    /// <summary>The ServiceAccounts (in kube-system) the loops run as.</summary>
    public static IEnumerable<string> Accounts => Loops.Select(l => l.Account).OfType<string>().Append(Job.JobController.TtlAccount).Distinct();

    public static Task RunAsync(IKubernetes client, ControllerManagerOptions options, TimeProvider time, ILoggerFactory loggers, CancellationToken ct) =>
        RunAsync(ControllerClients.Shared(client), options, time, loggers, ct);

    /// <summary>Runs every loop: the shared informers with the manager's client, each loop with its account's.</summary>
    public static async Task RunAsync(ControllerClients clients, ControllerManagerOptions options, TimeProvider time, ILoggerFactory loggers, CancellationToken ct)
    {
        options.Validate();
        var informers = new SharedInformers(clients.Manager, options.ResyncPeriod, time, loggers);
        var loops = Loops
            .Select(l => l.Create(new ControllerContext(l.Account is null ? clients.Manager : clients.For(l.Account), informers, options, time, loggers, clients)))
            .OfType<IControllerLoop>().ToList();
        await Task.WhenAll(informers.StartAsync(ct), clients.WarmUpAsync(ct));
        var log = loggers.CreateLogger("Navarch.ControllerManager");
        await Task.WhenAll(loops.Select(loop => Task.Run(async () =>
        {
            try
            {
                await loop.RunAsync(ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
            }
            catch (Exception e)
            {
                LogLoopFailed(log, loop.Name, e);
                throw;
            }
        }, CancellationToken.None)));
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Critical, Message = "controller {Name} stopped")]
    private static partial void LogLoopFailed(ILogger log, string name, Exception e);
}
