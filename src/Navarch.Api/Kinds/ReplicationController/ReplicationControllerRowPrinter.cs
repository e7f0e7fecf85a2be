using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Navarch.Api.Printing;

namespace Navarch.Api.Kinds.ReplicationController;

/// <summary>ReplicationControllers: NAME DESIRED CURRENT READY AGE | CONTAINERS IMAGES SELECTOR.</summary>
internal sealed class ReplicationControllerRowPrinter : RowPrinter
{
    public override IReadOnlyList<TableColumn> Columns { get; } =
    [
        TableColumn.ObjectName,
        TableColumn.Integer("Desired", "Replicas is the number of desired replicas. This is a pointer to distinguish between explicit zero and unspecified. Defaults to 1. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicationcontroller#what-is-a-replicationcontroller"),
        TableColumn.Integer("Current", "Replicas is the most recently observed number of replicas. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicationcontroller#what-is-a-replicationcontroller"),
        TableColumn.Integer("Ready", "The number of ready replicas for this replication controller."),
        TableColumn.Age,
        TableColumn.Text("Containers", "Names of each container in the template.", 1),
        TableColumn.Text("Images", "Images referenced by each container in the template.", 1),
        TableColumn.Text("Selector", "Selector is a label query over pods that should match the Replicas count. If Selector is empty, it is defaulted to the labels present on the Pod template. Label keys and values that must match in order to be controlled by this replication controller, if empty defaulted to labels on Pod template. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors", 1),
    ];

    public override IReadOnlyList<JsonNode?> Cells(IKubernetesObject<V1ObjectMeta> obj, DateTimeOffset now)
    {
        var rc = (V1ReplicationController)obj;
        var (names, images) = ContainerCells(rc.Spec?.Template?.Spec?.Containers);
        return
        [
            Cell(rc.Metadata?.Name),
            Cell(rc.Spec?.Replicas ?? 0),
            Cell(rc.Status?.Replicas ?? 0),
            Cell(rc.Status?.ReadyReplicas ?? 0),
            Cell(Age(rc, now)),
            Cell(names),
            Cell(images),
            Cell(FormatLabels(rc.Spec?.Selector)),
        ];
    }
}
