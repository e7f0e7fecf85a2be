using k8s;
using k8s.Models;
using Navarch.Client;
using Navarch.Client.Events;
using Navarch.Controllers.PodControl;

namespace Navarch.Controllers.Deployment;

/// <summary>The Deployment controller's writes to its ReplicaSets, each guarded by the cached resourceVersion (a stale cache conflicts and re-queues).</summary>
internal sealed class ReplicaSetWriter(IKubernetes client, EventRecorder events)
{
    /// <summary>
    /// Writes the planned size of every set whose size changed (with an event, as upstream's
    /// scaleReplicaSetAndRecordEvent), and with <paramref name="refreshActive"/> also active sets whose
    /// desired/max-replicas annotations are stale (upstream's scale after a resize).
    /// </summary>
    public async Task ScaleAsync(V1Deployment d, IReadOnlyList<PlannedSet> sets, bool refreshActive, CancellationToken ct)
    {
        var desired = Revisions.Replicas(d);
        var max = desired + RolloutPlanner.MaxSurge(d);
        foreach (var s in sets.ToList())
        {
            var stale = refreshActive && s.Replicas > 0 && Revisions.ReplicaAnnotationsNeedUpdate(s.Set, desired, max);
            if (!s.Changed && !stale) continue;
            var copy = Copy(s.Set);
            copy.Spec.Replicas = s.Replicas;
            Revisions.SetReplicaAnnotations(copy.Metadata.Annotations ??= new Dictionary<string, string>(), desired, max);
            await client.AppsV1.ReplaceNamespacedReplicaSetAsync(copy, copy.Metadata.Name, copy.Metadata.NamespaceProperty, cancellationToken: ct);
            if (s.Changed)
            {
                var direction = s.Replicas > s.Current ? "up" : "down";
                await events.NormalAsync(d, "ScalingReplicaSet", $"Scaled {direction} replica set {s.Name} to {s.Replicas} from {s.Current}", ct);
            }
        }
    }

    /// <summary>Brings an existing new set's annotations (revision) and minReadySeconds in line; null when nothing changed.</summary>
    public async Task<V1ReplicaSet?> SyncNewSetAsync(V1Deployment d, V1ReplicaSet rs, long newRevision, CancellationToken ct)
    {
        var copy = Copy(rs);
        var annotationsChanged = Revisions.SetNewSetAnnotations(d, copy.Metadata.Annotations ??= new Dictionary<string, string>(), newRevision,
            exists: true, RolloutPlanner.MaxSurge(d));
        var minReadyChanged = (copy.Spec.MinReadySeconds ?? 0) != (d.Spec?.MinReadySeconds ?? 0);
        if (!annotationsChanged && !minReadyChanged) return null;
        copy.Spec.MinReadySeconds = d.Spec?.MinReadySeconds;
        return await client.AppsV1.ReplaceNamespacedReplicaSetAsync(copy, copy.Metadata.Name, copy.Metadata.NamespaceProperty, cancellationToken: ct);
    }

    public Task<V1ReplicaSet> CreateAsync(V1ReplicaSet rs, CancellationToken ct) =>
        client.AppsV1.CreateNamespacedReplicaSetAsync(rs, rs.Metadata.NamespaceProperty, cancellationToken: ct);

    public Task<V1ReplicaSet> ReadAsync(string ns, string name, CancellationToken ct) =>
        client.AppsV1.ReadNamespacedReplicaSetAsync(name, ns, cancellationToken: ct);

    public async Task DeleteAsync(V1ReplicaSet rs, CancellationToken ct)
    {
        try
        {
            await client.AppsV1.DeleteNamespacedReplicaSetAsync(rs.Metadata.Name, rs.Metadata.NamespaceProperty, cancellationToken: ct);
        }
        catch (Exception e) when (ApiErrors.IsNotFound(e))
        {
        }
    }

    public async Task<V1ReplicaSet?> AdoptAsync(V1Deployment d, V1ReplicaSet rs, CancellationToken ct)
    {
        try
        {
            return await client.AppsV1.PatchNamespacedReplicaSetAsync(ControllerRefs.AdoptPatch(ControllerRefs.For("apps/v1", "Deployment", d.Metadata), rs.Metadata.Uid),
                rs.Metadata.Name, rs.Metadata.NamespaceProperty, cancellationToken: ct);
        }
        catch (Exception e) when (ApiErrors.IsNotFound(e))
        {
            return null;
        }
    }

    public async Task ReleaseAsync(V1Deployment d, V1ReplicaSet rs, CancellationToken ct)
    {
        try
        {
            await client.AppsV1.PatchNamespacedReplicaSetAsync(ControllerRefs.ReleasePatch(d.Metadata.Uid, rs.Metadata.Uid),
                rs.Metadata.Name, rs.Metadata.NamespaceProperty, cancellationToken: ct);
        }
        catch (Exception e) when (ApiErrors.IsNotFound(e) || ApiErrors.IsInvalid(e))
        {
        }
    }

    private static V1ReplicaSet Copy(V1ReplicaSet rs)
    {
        var copy = KubernetesJson.Deserialize<V1ReplicaSet>(KubernetesJson.Serialize(rs));
        copy.ApiVersion ??= "apps/v1";
        copy.Kind ??= "ReplicaSet";
        return copy;
    }
}
