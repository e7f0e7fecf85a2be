using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Navarch.Api.Printing;

namespace Navarch.Api.Kinds.Pod;

/// <summary>Pods: NAME READY STATUS RESTARTS AGE | IP NODE NOMINATED NODE READINESS GATES.</summary>
internal sealed class PodRowPrinter : RowPrinter
{
    public override IReadOnlyList<TableColumn> Columns { get; } =
    [
        TableColumn.ObjectName,
        TableColumn.Text("Ready", "The aggregate readiness state of this pod for accepting traffic."),
        TableColumn.Text("Status", "The aggregate status of the containers in this pod."),
        TableColumn.Text("Restarts", "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted."),
        TableColumn.Age,
        TableColumn.Text("IP", "podIP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.", 1),
        TableColumn.Text("Node", "NodeName indicates in which node this pod is scheduled. If empty, this pod is a candidate for scheduling by the scheduler defined in schedulerName.", 1),
        TableColumn.Text("Nominated Node", "nominatedNodeName is set only when this pod preempts other pods on the node, but it cannot be scheduled right away as preemption victims receive their graceful termination periods.", 1),
        TableColumn.Text("Readiness Gates", "If specified, all readiness gates will be evaluated for pod readiness.", 1),
    ];

    public override IReadOnlyList<JsonNode?> Cells(IKubernetesObject<V1ObjectMeta> obj, DateTimeOffset now)
    {
        var pod = (V1Pod)obj;
        var status = PodStatusSummary.Of(pod);
        var restarts = status.Restarts.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (status.Restarts != 0 && status.LastRestart is { } last)
        {
            restarts = $"{status.Restarts} ({HumanDuration.Since(last, now)} ago)";
        }
        var podIp = pod.Status?.PodIPs?.FirstOrDefault()?.Ip ?? pod.Status?.PodIP;
        return
        [
            Cell(pod.Metadata?.Name),
            Cell($"{status.Ready}/{status.Total}"),
            Cell(status.Reason),
            Cell(restarts),
            Cell(Age(pod, now)),
            Cell(OrNone(podIp)),
            Cell(OrNone(pod.Spec?.NodeName)),
            Cell(OrNone(pod.Status?.NominatedNodeName)),
            Cell(ReadinessGates(pod)),
        ];
    }

    public override JsonArray? Conditions(IKubernetesObject<V1ObjectMeta> obj) => ((V1Pod)obj).Status?.Phase switch
    {
        "Succeeded" => [Completed("Succeeded", "The pod has completed successfully.")],
        "Failed" => [Completed("Failed", "The pod failed.")],
        _ => null,
    };

    private static JsonObject Completed(string reason, string message) => new()
    {
        ["type"] = "Completed",
        ["status"] = "True",
        ["reason"] = reason,
        ["message"] = message,
    };

    private static string OrNone(string? value) => string.IsNullOrEmpty(value) ? "<none>" : value;

    private static string ReadinessGates(V1Pod pod)
    {
        var gates = pod.Spec?.ReadinessGates ?? [];
        if (gates.Count == 0)
        {
            return "<none>";
        }
        var conditions = pod.Status?.Conditions ?? [];
        var ready = gates.Count(g => conditions.FirstOrDefault(c => c.Type == g.ConditionType)?.Status == "True");
        return $"{ready}/{gates.Count}";
    }
}
