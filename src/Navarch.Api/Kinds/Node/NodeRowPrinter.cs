using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Navarch.Api.Printing;

namespace Navarch.Api.Kinds.Node;

/// <summary>Nodes: NAME STATUS ROLES AGE VERSION | INTERNAL-IP EXTERNAL-IP OS-IMAGE KERNEL-VERSION CONTAINER-RUNTIME.</summary>
internal sealed class NodeRowPrinter : RowPrinter
{
    private const string RolePrefix = "node-role.kubernetes.io/";
    private const string RoleLabel = "kubernetes.io/role";

    public override IReadOnlyList<TableColumn> Columns { get; } =
    [
        TableColumn.ObjectName,
        TableColumn.Text("Status", "The status of the node"),
        TableColumn.Text("Roles", "The roles of the node"),
        TableColumn.Age,
        TableColumn.Text("Version", "Kubelet Version reported by the node."),
        TableColumn.Text("Internal-IP", "List of addresses reachable to the node. Queried from cloud provider, if available.", 1),
        TableColumn.Text("External-IP", "List of addresses reachable to the node. Queried from cloud provider, if available.", 1),
        TableColumn.Text("OS-Image", "OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).", 1),
        TableColumn.Text("Kernel-Version", "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).", 1),
        TableColumn.Text("Container-Runtime", "ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).", 1),
    ];

    public override IReadOnlyList<JsonNode?> Cells(IKubernetesObject<V1ObjectMeta> obj, DateTimeOffset now)
    {
        var node = (V1Node)obj;
        var info = node.Status?.NodeInfo;
        return
        [
            Cell(node.Metadata?.Name),
            Cell(Status(node)),
            Cell(Roles(node)),
            Cell(Age(node, now)),
            Cell(info?.KubeletVersion),
            Cell(Address(node, "InternalIP")),
            Cell(Address(node, "ExternalIP")),
            Cell(OrUnknown(info?.OsImage)),
            Cell(OrUnknown(info?.KernelVersion)),
            Cell(OrUnknown(info?.ContainerRuntimeVersion)),
        ];
    }

    // Only the Ready condition counts: "Ready", "NotReady" (False or Unknown), "Unknown" when absent.
    private static string Status(V1Node node)
    {
        var ready = node.Status?.Conditions?.LastOrDefault(c => c.Type == "Ready");
        var status = ready is null ? "Unknown" : ready.Status == "True" ? "Ready" : "NotReady";
        return node.Spec?.Unschedulable == true ? status + ",SchedulingDisabled" : status;
    }

    private static string Roles(V1Node node)
    {
        var roles = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var (key, value) in node.Metadata?.Labels ?? new Dictionary<string, string>())
        {
            if (key.StartsWith(RolePrefix, StringComparison.Ordinal) && key.Length > RolePrefix.Length)
            {
                roles.Add(key[RolePrefix.Length..]);
            }
            else if (key == RoleLabel && !string.IsNullOrEmpty(value))
            {
                roles.Add(value);
            }
        }
        return roles.Count == 0 ? "<none>" : string.Join(",", roles);
    }

    private static string Address(V1Node node, string type) =>
        node.Status?.Addresses?.FirstOrDefault(a => a.Type == type)?.Address ?? "<none>";

    private static string OrUnknown(string? value) => string.IsNullOrEmpty(value) ? "<unknown>" : value;
}
