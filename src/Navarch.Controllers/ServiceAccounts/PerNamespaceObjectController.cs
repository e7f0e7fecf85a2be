using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Navarch.Client;
using Navarch.Client.Informers;
using Navarch.Client.Queue;

namespace Navarch.Controllers.ServiceAccounts;

/// <summary>
/// Keeps one object of a fixed name in every active namespace (the <c>default</c> ServiceAccount, the
/// <c>kube-root-ca.crt</c> ConfigMap): made when a namespace appears, made again when deleted, corrected when it drifts.
/// The key is the namespace's name; a terminating namespace is left alone.
/// </summary>
public abstract class PerNamespaceObjectController<T> : Controller, IControllerLoop where T : class, IKubernetesObject<V1ObjectMeta>
{
    private readonly Informer<V1Namespace> _namespaces;
    private readonly Informer<T> _objects;
    private readonly int _workers;

    protected PerNamespaceObjectController(string name, string objectName, ControllerContext context, ILogger log)
        : base(name, log, context.Time)
    {
        ObjectName = objectName;
        Client = context.Client;
        _workers = context.Options.ConcurrentSyncs;
        _namespaces = context.Informers.Namespaces;
        _objects = context.Informers.For<T>();
        _namespaces.AddHandlers(new EventHandlers<V1Namespace>
        {
            OnAdd = ns => Queue.Add(ns.Metadata.Name),
            OnUpdate = (_, ns) => Queue.Add(ns.Metadata.Name),
        });
        _objects.AddHandlers(new EventHandlers<T>
        {
            OnUpdate = (_, o) => { if (Ours(o)) Queue.Add(o.Metadata.NamespaceProperty); },
            OnDelete = o => { if (Ours(o)) Queue.Add(o.Metadata.NamespaceProperty); },
        });
    }

    protected string ObjectName { get; }
    protected IKubernetes Client { get; }

    /// <summary>The object this namespace should have.</summary>
    protected abstract T Desired(string ns);

    /// <summary>True when <paramref name="existing"/> needs <see cref="UpdateAsync"/> to match <see cref="Desired"/>.</summary>
    protected virtual bool Drifted(T existing) => false;

    protected abstract Task CreateAsync(T obj, string ns, CancellationToken ct);

    protected virtual Task UpdateAsync(T existing, string ns, CancellationToken ct) => Task.CompletedTask;

    Task IControllerLoop.RunAsync(CancellationToken ct) => RunAsync(_workers, ct);

    protected override async Task WaitForCachesAsync(CancellationToken ct)
    {
        await _namespaces.WaitForSyncAsync(ct);
        await _objects.WaitForSyncAsync(ct);
    }

    protected override async Task SyncAsync(string key, CancellationToken ct)
    {
        var ns = _namespaces.Get(key);
        if (ns is null || ns.Metadata.DeletionTimestamp is not null || ns.Status?.Phase == "Terminating") return;
        try
        {
            if (_objects.Get(key, ObjectName) is not { } existing) await CreateAsync(Desired(key), key, ct);
            else if (Drifted(existing)) await UpdateAsync(existing, key, ct);
        }
        catch (Exception e) when (ApiErrors.Code(e) == System.Net.HttpStatusCode.Conflict || ApiErrors.IsNamespaceTerminating(e) || ApiErrors.IsNotFound(e))
        {
            // Made meanwhile (the informer will tell), or the namespace is going: nothing to do.
        }
    }

    private bool Ours(T obj) => obj.Metadata.Name == ObjectName;
}
