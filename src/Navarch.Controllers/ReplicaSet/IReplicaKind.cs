using k8s;
using k8s.Models;
using Navarch.Client.Informers;

namespace Navarch.Controllers.ReplicaSet;

/// <summary>
/// The kind a replica controller keeps pods for, seen as a ReplicaSet: apps/v1 ReplicaSet itself, or a v1
/// ReplicationController converted (as upstream's replication manager runs the ReplicaSet controller over
/// converted RCs). Views carry the real kind's apiVersion and kind, so events and owner references name it.
/// </summary>
public interface IReplicaKind
{
    /// <summary>The loop's name (upstream's controller name).</summary>
    string LoopName { get; }
    /// <summary>The component events are reported by.</summary>
    string EventSource { get; }
    string ApiVersion { get; }
    string Kind { get; }

    V1ReplicaSet? Get(string key);
    IReadOnlyList<V1ReplicaSet> List(string? ns);
    void AddHandlers(EventHandlers<V1ReplicaSet> handlers);
    Task WaitForSyncAsync(CancellationToken ct);

    /// <summary>Reads the object from the API (not the cache).</summary>
    Task<V1ReplicaSet> ReadAsync(string ns, string name, CancellationToken ct);

    /// <summary>Replaces the status of <paramref name="current"/> (its resourceVersion guards the write).</summary>
    Task ReplaceStatusAsync(V1ReplicaSet current, V1ReplicaSetStatus status, CancellationToken ct);
}

/// <summary>An informer of <typeparamref name="T"/> seen through a conversion to ReplicaSet views.</summary>
public abstract class ReplicaKind<T>(Informer<T> informer) : IReplicaKind where T : class, IKubernetesObject<V1ObjectMeta>
{
    public abstract string LoopName { get; }
    public abstract string EventSource { get; }
    public abstract string ApiVersion { get; }
    public abstract string Kind { get; }

    /// <summary>The ReplicaSet view of <paramref name="obj"/>; shares its parts (never change them).</summary>
    protected abstract V1ReplicaSet View(T obj);

    public V1ReplicaSet? Get(string key) => informer.Get(key) is { } o ? View(o) : null;

    public IReadOnlyList<V1ReplicaSet> List(string? ns) => informer.List(ns).Select(View).ToList();

    public void AddHandlers(EventHandlers<V1ReplicaSet> handlers) => informer.AddHandlers(new EventHandlers<T>
    {
        OnAdd = handlers.OnAdd is { } add ? o => add(View(o)) : null,
        OnUpdate = handlers.OnUpdate is { } update ? (a, b) => update(View(a), View(b)) : null,
        OnDelete = handlers.OnDelete is { } delete ? o => delete(View(o)) : null,
    });

    public Task WaitForSyncAsync(CancellationToken ct) => informer.WaitForSyncAsync(ct);

    public abstract Task<V1ReplicaSet> ReadAsync(string ns, string name, CancellationToken ct);
    public abstract Task ReplaceStatusAsync(V1ReplicaSet current, V1ReplicaSetStatus status, CancellationToken ct);
}

/// <summary>apps/v1 ReplicaSets, as they are.</summary>
public sealed class ReplicaSetKind(IKubernetes client, Informer<V1ReplicaSet> informer) : ReplicaKind<V1ReplicaSet>(informer)
{
    public override string LoopName => "replicaset";
    public override string EventSource => "replicaset-controller";
    public override string ApiVersion => "apps/v1";
    public override string Kind => "ReplicaSet";

    protected override V1ReplicaSet View(V1ReplicaSet obj)
    {
        // Objects from a list carry no apiVersion/kind; events need them.
        if (obj.ApiVersion is null || obj.Kind is null) { obj.ApiVersion ??= ApiVersion; obj.Kind ??= Kind; }
        return obj;
    }

    public override async Task<V1ReplicaSet> ReadAsync(string ns, string name, CancellationToken ct) =>
        View(await client.AppsV1.ReadNamespacedReplicaSetAsync(name, ns, cancellationToken: ct));

    public override Task ReplaceStatusAsync(V1ReplicaSet current, V1ReplicaSetStatus status, CancellationToken ct)
    {
        var copy = KubernetesJson.Deserialize<V1ReplicaSet>(KubernetesJson.Serialize(current));
        copy.Status = status;
        return client.AppsV1.ReplaceNamespacedReplicaSetStatusAsync(copy, current.Metadata.Name, current.Metadata.NamespaceProperty, cancellationToken: ct);
    }
}
