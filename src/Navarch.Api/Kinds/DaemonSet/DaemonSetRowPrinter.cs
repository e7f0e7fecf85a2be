using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Navarch.Api.Printing;

namespace Navarch.Api.Kinds.DaemonSet;

/// <summary>DaemonSets: NAME DESIRED CURRENT READY UP-TO-DATE AVAILABLE NODE SELECTOR AGE | CONTAINERS IMAGES SELECTOR.</summary>
internal sealed class DaemonSetRowPrinter : RowPrinter
{
    public override IReadOnlyList<TableColumn> Columns { get; } =
    [
        TableColumn.ObjectName,
        TableColumn.Integer("Desired", "The total number of nodes that should be running the daemon pod (including nodes correctly running the daemon pod). More info: https://kubernetes.io/docs/concepts/workloads/controllers/daemonset/"),
        TableColumn.Integer("Current", "The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod. More info: https://kubernetes.io/docs/concepts/workloads/controllers/daemonset/"),
        TableColumn.Integer("Ready", "numberReady is the number of nodes that should be running the daemon pod and have one or more of the daemon pod running with a Ready Condition."),
        TableColumn.Integer("Up-to-date", "The total number of nodes that are running updated daemon pod"),
        TableColumn.Integer("Available", "The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available (ready for at least spec.minReadySeconds)"),
        TableColumn.Text("Node Selector", "NodeSelector is a selector which must be true for the pod to fit on a node. Selector which must match a node's labels for the pod to be scheduled on that node. More info: https://kubernetes.io/docs/concepts/configuration/assign-pod-node/"),
        TableColumn.Age,
        TableColumn.Text("Containers", "Names of each container in the template.", 1),
        TableColumn.Text("Images", "Images referenced by each container in the template.", 1),
        TableColumn.Text("Selector", "A label query over pods that are managed by the daemon set. Must match in order to be controlled. It must match the pod template's labels. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors", 1),
    ];

    public override IReadOnlyList<JsonNode?> Cells(IKubernetesObject<V1ObjectMeta> obj, DateTimeOffset now)
    {
        var ds = (V1DaemonSet)obj;
        var status = ds.Status;
        var (names, images) = ContainerCells(ds.Spec?.Template?.Spec?.Containers);
        return
        [
            Cell(ds.Metadata?.Name),
            Cell(status?.DesiredNumberScheduled ?? 0),
            Cell(status?.CurrentNumberScheduled ?? 0),
            Cell(status?.NumberReady ?? 0),
            Cell(status?.UpdatedNumberScheduled ?? 0),
            Cell(status?.NumberAvailable ?? 0),
            Cell(FormatLabels(ds.Spec?.Template?.Spec?.NodeSelector)),
            Cell(Age(ds, now)),
            Cell(names),
            Cell(images),
            Cell(FormatSelector(ds.Spec?.Selector)),
        ];
    }
}
