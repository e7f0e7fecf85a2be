using Navarch.Client;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Navarch.Client.Informers;
using Navarch.Client.Queue;
using Navarch.Controllers.GarbageCollector;
using Navarch.Controllers.PodControl;

namespace Navarch.Controllers.Namespace;

/// <summary>
/// The namespace controller (upstream's pkg/controller/namespace): for a namespace being deleted, deletes
/// everything in it, shows progress in its status conditions, and once it is empty removes the
/// <c>kubernetes</c> finalizer through <c>/finalize</c>, after which the server deletes the namespace.
/// </summary>
public sealed partial class NamespaceController : Controller, IControllerLoop
{
    /// <summary>The spec finalizer this controller is responsible for.</summary>
    public const string KubernetesFinalizer = "kubernetes";

    private readonly IKubernetes _client;
    private readonly Informer<V1Namespace> _namespaces;
    private readonly NamespaceContentDeleter _deleter;
    private readonly TimeProvider _time;
    private readonly int _workers;
    private readonly ILogger _log;

    public NamespaceController(ControllerContext ctx)
        : base("namespace", ctx.Loggers.CreateLogger<NamespaceController>(), ctx.Time)
    {
        _client = ctx.Client;
        _namespaces = ctx.Informers.Namespaces;
        _deleter = new NamespaceContentDeleter(ctx.Client, new DynamicObjects(ctx.Client, ctx.Time));
        _time = ctx.Time;
        _workers = ctx.Options.ConcurrentSyncs;
        _log = ctx.Loggers.CreateLogger<NamespaceController>();
        _namespaces.AddHandlers(new EventHandlers<V1Namespace>
        {
            OnAdd = Enqueue,
            OnUpdate = (_, ns) => Enqueue(ns),
        });
    }

    public Task RunAsync(CancellationToken ct) => RunAsync(_workers, ct);

    protected override Task WaitForCachesAsync(CancellationToken ct) => _namespaces.WaitForSyncAsync(ct);

    private void Enqueue(V1Namespace ns)
    {
        if (ns.Metadata.DeletionTimestamp is not null) Queue.Add(ns.Metadata.Name);
    }

    protected override async Task SyncAsync(string key, CancellationToken ct)
    {
        if (_namespaces.Get(key) is not { Metadata.DeletionTimestamp: not null }) return;
        // The cache may be behind: act on the namespace as the server has it now.
        V1Namespace ns;
        try { ns = await _client.CoreV1.ReadNamespaceAsync(key, cancellationToken: ct); }
        catch (Exception e) when (ApiErrors.IsNotFound(e)) { return; }
        if (ns.Metadata.DeletionTimestamp is null || ns.Spec?.Finalizers?.Contains(KubernetesFinalizer) != true) return;

        var (report, wait) = await _deleter.DeleteAsync(key, ct);
        ns = await WriteConditionsAsync(ns, report, ct) ?? ns;
        if (!report.Empty)
        {
            LogContentRemaining(key, string.Join(", ", report.Remaining.Select(r => $"{r.Key}={r.Value}")));
            // Pods in their grace period: look again when it ends; anything else: retry with back-off.
            if (wait > TimeSpan.Zero && report.DeleteFailures.Count == 0 && report.DiscoveryError is null)
            {
                Queue.AddAfter(key, wait);
                return;
            }
            throw new InvalidOperationException($"namespace {key}: content remains ({string.Join("; ", report.DeleteFailures.Concat(report.Remaining.Keys))})");
        }
        await FinalizeAsync(ns, ct);
    }

    private async Task<V1Namespace?> WriteConditionsAsync(V1Namespace ns, DeletionReport report, CancellationToken ct)
    {
        var conditions = NamespaceConditions.Build(ns.Status?.Conditions, report, _time.GetUtcNow());
        if (NamespaceConditions.Same(ns.Status?.Conditions, conditions)) return null;
        ns.Status ??= new V1NamespaceStatus();
        ns.Status.Conditions = conditions;
        try
        {
            return await _client.CoreV1.ReplaceNamespaceStatusAsync(ns, ns.Metadata.Name, cancellationToken: ct);
        }
        catch (Exception e) when (ApiErrors.IsConflict(e) || ApiErrors.IsNotFound(e))
        {
            // Conditions are for people: the next pass writes them.
            return null;
        }
    }

    private async Task FinalizeAsync(V1Namespace ns, CancellationToken ct)
    {
        ns.Spec.Finalizers = ns.Spec.Finalizers.Where(f => f != KubernetesFinalizer).ToList();
        try
        {
            await _client.CoreV1.ReplaceNamespaceFinalizeAsync(ns, ns.Metadata.Name, cancellationToken: ct);
            LogFinalized(ns.Metadata.Name);
        }
        catch (Exception e) when (ApiErrors.IsNotFound(e))
        {
        }
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Debug, Message = "namespace {Namespace}: content remaining: {Remaining}")]
    private partial void LogContentRemaining(string @namespace, string remaining);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "namespace {Namespace}: empty, finalized")]
    private partial void LogFinalized(string @namespace);
}
