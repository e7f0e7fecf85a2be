using k8s.Models;

namespace Navarch.Controllers.NodeLifecycle;

/// <summary>What the controller writes into the status of a node that stopped reporting.</summary>
public static class NodeStatusRules
{
    /// <summary>The Ready condition's status, or null when the node has none.</summary>
    public static string? ReadyStatus(V1Node node) =>
        node.Status?.Conditions?.FirstOrDefault(c => c.Type == "Ready")?.Status;

    /// <summary>
    /// The conditions of a silent node: each monitored condition (Ready and the pressures) set Unknown with
    /// reason NodeStatusUnknown (its heartbeat time kept), or added as NodeStatusNeverUpdated when missing;
    /// other conditions untouched. Null when every monitored condition is Unknown already.
    /// </summary>
    public static List<V1NodeCondition>? SilentConditions(V1Node node, DateTime now)
    {
        var conditions = (node.Status?.Conditions ?? []).Select(Copy).ToList();
        var changed = false;
        foreach (var type in NodeKeys.MonitoredConditions)
        {
            var c = conditions.FirstOrDefault(x => x.Type == type);
            if (c is null)
            {
                conditions.Add(new V1NodeCondition
                {
                    Type = type,
                    Status = "Unknown",
                    Reason = NodeKeys.NeverUpdatedReason,
                    Message = NodeKeys.NeverUpdatedMessage,
                    LastHeartbeatTime = node.Metadata.CreationTimestamp,
                    LastTransitionTime = now,
                });
                changed = true;
            }
            else if (c.Status != "Unknown")
            {
                c.Status = "Unknown";
                c.Reason = NodeKeys.StatusUnknownReason;
                c.Message = NodeKeys.StatusUnknownMessage;
                c.LastTransitionTime = now;
                changed = true;
            }
        }
        return changed ? conditions : null;
    }

    private static V1NodeCondition Copy(V1NodeCondition c) => new()
    {
        Type = c.Type,
        Status = c.Status,
        Reason = c.Reason,
        Message = c.Message,
        LastHeartbeatTime = c.LastHeartbeatTime,
        LastTransitionTime = c.LastTransitionTime,
    };
}
