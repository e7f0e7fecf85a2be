using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Navarch.Api.Printing;

namespace Navarch.Api.Kinds.ReplicaSet;

/// <summary>ReplicaSets: NAME DESIRED CURRENT READY AGE | CONTAINERS IMAGES SELECTOR.</summary>
internal sealed class ReplicaSetRowPrinter : RowPrinter
{
    public override IReadOnlyList<TableColumn> Columns { get; } =
    [
        TableColumn.ObjectName,
        TableColumn.Integer("Desired", "Replicas is the number of desired replicas. This is a pointer to distinguish between explicit zero and unspecified. Defaults to 1. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicationcontroller/#what-is-a-replicationcontroller"),
        TableColumn.Integer("Current", "Replicas is the most recently observed number of replicas. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicationcontroller/#what-is-a-replicationcontroller"),
        TableColumn.Integer("Ready", "readyReplicas is the number of pods targeted by this ReplicaSet controller with a Ready Condition."),
        TableColumn.Age,
        TableColumn.Text("Containers", "Names of each container in the template.", 1),
        TableColumn.Text("Images", "Images referenced by each container in the template.", 1),
        TableColumn.Text("Selector", "Selector is a label query over pods that should match the replica count. Label keys and values that must match in order to be controlled by this replica set. It must match the pod template's labels. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors", 1),
    ];

    public override IReadOnlyList<JsonNode?> Cells(IKubernetesObject<V1ObjectMeta> obj, DateTimeOffset now)
    {
        var rs = (V1ReplicaSet)obj;
        var (names, images) = ContainerCells(rs.Spec?.Template?.Spec?.Containers);
        return
        [
            Cell(rs.Metadata?.Name),
            Cell(rs.Spec?.Replicas ?? 0),
            Cell(rs.Status?.Replicas ?? 0),
            Cell(rs.Status?.ReadyReplicas ?? 0),
            Cell(Age(rs, now)),
            Cell(names),
            Cell(images),
            Cell(FormatSelector(rs.Spec?.Selector)),
        ];
    }
}
