using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Navarch.Api.Printing;

namespace Navarch.Api.Kinds.Deployment;

/// <summary>Deployments: NAME READY UP-TO-DATE AVAILABLE AGE | CONTAINERS IMAGES SELECTOR.</summary>
internal sealed class DeploymentRowPrinter : RowPrinter
{
    public override IReadOnlyList<TableColumn> Columns { get; } =
    [
        TableColumn.ObjectName,
        TableColumn.Text("Ready", "Number of the pod with ready state"),
        TableColumn.Text("Up-to-date", "Total number of non-terminated pods targeted by this deployment that have the desired template spec."),
        TableColumn.Text("Available", "Total number of available pods (ready for at least minReadySeconds) targeted by this deployment."),
        TableColumn.Age,
        TableColumn.Text("Containers", "Names of each container in the template.", 1),
        TableColumn.Text("Images", "Images referenced by each container in the template.", 1),
        TableColumn.Text("Selector", "Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment.", 1),
    ];

    public override IReadOnlyList<JsonNode?> Cells(IKubernetesObject<V1ObjectMeta> obj, DateTimeOffset now)
    {
        var d = (V1Deployment)obj;
        var (names, images) = ContainerCells(d.Spec?.Template?.Spec?.Containers);
        return
        [
            Cell(d.Metadata?.Name),
            Cell($"{d.Status?.ReadyReplicas ?? 0}/{d.Spec?.Replicas ?? 0}"),
            Cell(d.Status?.UpdatedReplicas ?? 0),
            Cell(d.Status?.AvailableReplicas ?? 0),
            Cell(Age(d, now)),
            Cell(names),
            Cell(images),
            Cell(FormatSelector(d.Spec?.Selector)),
        ];
    }
}
