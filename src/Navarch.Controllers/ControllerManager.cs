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
    /// <summary>The loops, in start order. Each controller adds its one line here (null: not run with these options).</summary>
    private static readonly IReadOnlyList<Func<ControllerContext, IControllerLoop?>> Loops =
    [
        ctx => new ReplicaSet.ReplicaSetController(ctx, new ReplicationManager.ReplicationControllerKind(ctx.Client, ctx.Informers.ReplicationControllers)),
        ctx => new ReplicaSet.ReplicaSetController(ctx, new ReplicaSet.ReplicaSetKind(ctx.Client, ctx.Informers.ReplicaSets)),
        ctx => new Deployment.DeploymentController(ctx),
        ctx => new DaemonSet.DaemonSetController(ctx),
        ctx => new Job.JobController(ctx),
        ctx => new CronJob.CronJobController(ctx),
        ctx => new GarbageCollector.GarbageCollectorController(ctx),
        ctx => new Namespace.NamespaceController(ctx),
        ctx => new Endpoints.EndpointsController(ctx),
        ctx => new EndpointSlices.EndpointSliceController(ctx),
        ctx => new NodeIpam.NodeIpamController(ctx),
        ctx => new NodeLifecycle.NodeLifecycleController(ctx),
        ctx => new NodeLifecycle.TaintEvictionController(ctx),
        ctx => new ServiceAccounts.ServiceAccountController(ctx),
        ctx => ctx.Options.RootCaFile is { } ca ? new ServiceAccounts.RootCaPublisher(ctx, File.ReadAllText(ca)) : null,
        ctx => ctx.Options.ServiceAccountPrivateKeyFile is { } key
            ? new ServiceAccounts.TokensController(ctx, key, ctx.Options.RootCaFile is { } ca ? File.ReadAllText(ca) : null) : null,
    ];

    public static async Task RunAsync(IKubernetes client, ControllerManagerOptions options, TimeProvider time, ILoggerFactory loggers, CancellationToken ct)
    {
        options.Validate();
        var informers = new SharedInformers(client, options.ResyncPeriod, time, loggers);
        var context = new ControllerContext(client, informers, options, time, loggers);
        var loops = Loops.Select(create => create(context)).OfType<IControllerLoop>().ToList();
        await informers.StartAsync(ct);
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
