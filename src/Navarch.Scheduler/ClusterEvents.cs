using k8s;
using k8s.Models;
using Navarch.Client.Informers;
using Navarch.Scheduler.Cache;
using Navarch.Scheduler.Queue;

namespace Navarch.Scheduler;

/// <summary>
/// Routes informer events: bound pods and nodes into the cache, pending pods of this scheduler into the queue,
/// and the changes that may let unschedulable pods fit (node added or changed, bound pod gone) into a move request.
/// </summary>
internal sealed class ClusterEvents(SchedulerCache cache, SchedulingQueue queue, string schedulerName)
{
    public void Subscribe(Informer<V1Pod> pods, Informer<V1Node> nodes)
    {
        pods.AddHandlers(new EventHandlers<V1Pod>
        {
            OnAdd = OnPod,
            OnUpdate = (old, now) => { if (!ReferenceEquals(old, now) || !IsBound(now)) OnPod(now); },
            OnDelete = OnPodDeleted,
        });
        nodes.AddHandlers(new EventHandlers<V1Node>
        {
            OnAdd = node =>
            {
                cache.AddOrUpdateNode(node);
                queue.MoveAllToActiveOrBackoff();
            },
            OnUpdate = (old, now) =>
            {
                if (ReferenceEquals(old, now)) return;
                cache.AddOrUpdateNode(now);
                if (MayFitMore(old, now)) queue.MoveAllToActiveOrBackoff();
            },
            OnDelete = node => cache.RemoveNode(node.Metadata.Name),
        });
    }

    /// <summary>Whether the pod is one this scheduler should place: no node, our scheduler name, not being deleted, not finished.</summary>
    public bool IsPendingOurs(V1Pod pod) =>
        !IsBound(pod) && (pod.Spec.SchedulerName ?? "default-scheduler") == schedulerName &&
        pod.Metadata.DeletionTimestamp is null && pod.Status?.Phase is not ("Succeeded" or "Failed");

    private static bool IsBound(V1Pod pod) => !string.IsNullOrEmpty(pod.Spec?.NodeName);

    private void OnPod(V1Pod pod)
    {
        var key = ObjectKey.Of(pod);
        if (IsBound(pod))
        {
            var wasCounted = cache.Placement(key) is not null;
            cache.AddOrUpdatePod(pod);
            queue.Delete(key);
            // A pod that finished frees its requests.
            if (wasCounted && cache.Placement(key) is null) queue.MoveAllToActiveOrBackoff();
        }
        else if (IsPendingOurs(pod)) queue.AddOrUpdate(pod);
        else queue.Delete(key);
    }

    private void OnPodDeleted(V1Pod pod)
    {
        var key = ObjectKey.Of(pod);
        var wasCounted = cache.Placement(key) is not null;
        cache.RemovePod(key);
        queue.Delete(key);
        if (wasCounted) queue.MoveAllToActiveOrBackoff();
    }

    // Changes that can turn a node from unfit to fit; heartbeats alone change none of them.
    private static bool MayFitMore(V1Node old, V1Node now) =>
        IsReady(old) != IsReady(now) ||
        (old.Spec?.Unschedulable ?? false) != (now.Spec?.Unschedulable ?? false) ||
        Json(old.Spec?.Taints) != Json(now.Spec?.Taints) ||
        Json(old.Metadata.Labels) != Json(now.Metadata.Labels) ||
        Json(old.Status?.Allocatable) != Json(now.Status?.Allocatable);

    private static bool IsReady(V1Node node) => node.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") ?? false;

    private static string Json(object? value) => value is null ? "" : KubernetesJson.Serialize(value);
}
