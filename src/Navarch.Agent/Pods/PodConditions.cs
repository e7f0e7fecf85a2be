using k8s.Models;

namespace Navarch.Agent.Pods;

/// <summary>
/// The pod conditions the agent owns (PodReadyToStartContainers, Initialized, Ready, ContainersReady; and
/// PodScheduled when nobody set it), with upstream's reasons and messages; a condition keeps its
/// lastTransitionTime while its status stays the same. Conditions others own are kept as they are.
/// </summary>
public static class PodConditions
{
    /// <summary>The condition types the agent writes.</summary>
    public static readonly string[] Owned = ["PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady"];

    /// <summary>The pod's conditions after this sync, in upstream's order.</summary>
    public static List<V1PodCondition> Build(V1Pod pod, bool sandboxReady, IReadOnlyList<V1ContainerStatus> init, IReadOnlyList<V1ContainerStatus> app, string phase, DateTime now)
    {
        var old = pod.Status?.Conditions ?? [];
        V1PodCondition Make(string type, bool status, string? reason = null, string? message = null)
        {
            var value = status ? "True" : "False";
            var prior = old.FirstOrDefault(c => c.Type == type);
            return new V1PodCondition
            {
                Type = type,
                Status = value,
                Reason = reason,
                Message = message,
                LastTransitionTime = prior is not null && prior.Status == value ? prior.LastTransitionTime : now,
            };
        }

        var terminalReason = phase switch { "Succeeded" => "PodCompleted", "Failed" => "PodFailed", _ => null };
        var result = new List<V1PodCondition> { Make("PodReadyToStartContainers", sandboxReady) };

        var incompleteInit = init.Where(s => s.State?.Terminated?.ExitCode != 0).Select(s => s.Name).ToList();
        result.Add(incompleteInit.Count == 0 || terminalReason == "PodCompleted"
            ? Make("Initialized", true, terminalReason == "PodCompleted" && incompleteInit.Count > 0 ? terminalReason : null)
            : Make("Initialized", false, "ContainersNotInitialized", $"containers with incomplete status: [{string.Join(' ', incompleteInit)}]"));

        var (containersReady, reason, message) = terminalReason is not null
            ? (false, terminalReason, null)
            : Readiness(app);
        var gates = ReadinessGates(pod);
        var ready = containersReady && gates is null;
        result.Add(ready ? Make("Ready", true)
            : containersReady ? Make("Ready", false, "ReadinessGatesNotReady", gates)
            : Make("Ready", false, reason, message));
        result.Add(containersReady ? Make("ContainersReady", true) : Make("ContainersReady", false, reason, message));

        result.Add(old.FirstOrDefault(c => c.Type == "PodScheduled") ?? Make("PodScheduled", true));
        result.AddRange(old.Where(c => c.Type != "PodScheduled" && !Owned.Contains(c.Type)));
        return result;
    }

    private static (bool Ready, string? Reason, string? Message) Readiness(IReadOnlyList<V1ContainerStatus> app)
    {
        var unready = app.Where(s => s.Ready != true).Select(s => s.Name).ToList();
        return unready.Count == 0
            ? (true, null, null)
            : (false, "ContainersNotReady", $"containers with unready status: [{string.Join(' ', unready)}]");
    }

    // A readiness gate holds the pod unready until a condition of its type is True.
    private static string? ReadinessGates(V1Pod pod)
    {
        var conditions = pod.Status?.Conditions ?? [];
        var messages = (pod.Spec.ReadinessGates ?? []).Select(g => g.ConditionType)
            .Select(t => conditions.FirstOrDefault(c => c.Type == t) switch
            {
                null => $"corresponding condition of pod readiness gate \"{t}\" does not exist.",
                { Status: not "True" } => $"the status of pod readiness gate \"{t}\" is not \"True\", but {conditions.First(c => c.Type == t).Status}",
                _ => null,
            })
            .Where(m => m is not null).ToList();
        return messages.Count == 0 ? null : string.Join(", ", messages);
    }
}
