using k8s.Models;

namespace Navarch.Controllers.PodControl;

/// <summary>What controllers read off a pod's status: active, ready, available, restarts (upstream's podutil).</summary>
public static class PodFacts
{
    /// <summary>Not finished and not being deleted: a pod that still counts as a replica.</summary>
    public static bool IsActive(V1Pod pod) =>
        pod.Status?.Phase is not ("Succeeded" or "Failed") && pod.Metadata.DeletionTimestamp is null;

    /// <summary>The Ready condition is True.</summary>
    public static bool IsReady(V1Pod pod) => ReadyCondition(pod)?.Status == "True";

    /// <summary>Ready for at least <paramref name="minReadySeconds"/> (always, when that is 0).</summary>
    public static bool IsAvailable(V1Pod pod, int minReadySeconds, DateTimeOffset now)
    {
        if (!IsReady(pod)) return false;
        if (minReadySeconds == 0) return true;
        var since = ReadyCondition(pod)?.LastTransitionTime;
        return since is not null && new DateTimeOffset(DateTime.SpecifyKind(since.Value, DateTimeKind.Utc)).AddSeconds(minReadySeconds) < now;
    }

    /// <summary>When the pod last became ready; null when it is not ready or the time is unknown.</summary>
    public static DateTime? ReadySince(V1Pod pod) => IsReady(pod) ? ReadyCondition(pod)?.LastTransitionTime : null;

    /// <summary>The highest restart count of the pod's containers.</summary>
    public static int MaxRestarts(V1Pod pod) => pod.Status?.ContainerStatuses?.Select(c => c.RestartCount).DefaultIfEmpty(0).Max() ?? 0;

    private static V1PodCondition? ReadyCondition(V1Pod pod) => pod.Status?.Conditions?.FirstOrDefault(c => c.Type == "Ready");
}
