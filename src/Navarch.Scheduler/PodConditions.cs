using k8s;
using k8s.Models;

namespace Navarch.Scheduler;

/// <summary>The PodScheduled=False condition the scheduler sets on a pod it cannot place, as a status patch.</summary>
internal static class PodConditions
{
    public const string Unschedulable = "Unschedulable";
    /// <summary>Upstream's reason when scheduling failed for something other than fit (e.g. no nodes at all).</summary>
    public const string SchedulerError = "SchedulerError";

    /// <summary>
    /// The strategic-merge patch that sets PodScheduled=False with this reason and message, or null when the pod
    /// already says exactly that (so a pod retried every few seconds does not rewrite itself each time).
    /// </summary>
    public static V1Patch? UnschedulablePatch(V1Pod pod, string reason, string message, DateTime now)
    {
        var current = pod.Status?.Conditions?.FirstOrDefault(c => c.Type == "PodScheduled");
        if (current is { Status: "False" } && current.Reason == reason && current.Message == message) return null;
        var condition = new V1PodCondition
        {
            Type = "PodScheduled",
            Status = "False",
            Reason = reason,
            Message = message,
            LastTransitionTime = current is { Status: "False", LastTransitionTime: not null } ? current.LastTransitionTime : now,
        };
        var body = new V1Pod { Status = new V1PodStatus { Conditions = [condition] } };
        return new V1Patch(KubernetesJson.Serialize(body), V1Patch.PatchType.StrategicMergePatch);
    }
}
