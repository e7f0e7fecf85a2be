using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Navarch.Api.Printing;

namespace Navarch.Api.Kinds.CronJob;

/// <summary>CronJobs: NAME SCHEDULE TIMEZONE SUSPEND ACTIVE LAST SCHEDULE AGE | CONTAINERS IMAGES SELECTOR.</summary>
internal sealed class CronJobRowPrinter : RowPrinter
{
    public override IReadOnlyList<TableColumn> Columns { get; } =
    [
        TableColumn.ObjectName,
        TableColumn.Text("Schedule", "The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron."),
        TableColumn.Text("Timezone", "The time zone name for the given schedule, see https://en.wikipedia.org/wiki/List_of_tz_database_time_zones. If not specified, this will default to the time zone of the kube-controller-manager process. The set of valid time zone names and the time zone offset is loaded from the system-wide time zone database by the API server during CronJob validation and the controller manager during execution. If no system-wide time zone database can be found a bundled version of the database is used instead. If the time zone name becomes invalid during the lifetime of a CronJob or due to a change in host configuration, the controller will stop creating new new Jobs and will create a system event with the reason UnknownTimeZone. More information can be found in https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/#time-zones"),
        new TableColumn("Suspend", "boolean", "", "This flag tells the controller to suspend subsequent executions, it does not apply to already started executions.  Defaults to false."),
        TableColumn.Integer("Active", "A list of pointers to currently running jobs."),
        TableColumn.Text("Last Schedule", "Information when was the last time the job was successfully scheduled."),
        TableColumn.Age,
        TableColumn.Text("Containers", "Names of each container in the template.", 1),
        TableColumn.Text("Images", "Images referenced by each container in the template.", 1),
        TableColumn.Text("Selector", "A label query over pods that should match the pod count. Normally, the system sets this field for you. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors", 1),
    ];

    public override IReadOnlyList<JsonNode?> Cells(IKubernetesObject<V1ObjectMeta> obj, DateTimeOffset now)
    {
        var cj = (V1CronJob)obj;
        var jobSpec = cj.Spec?.JobTemplate?.Spec;
        var (names, images) = ContainerCells(jobSpec?.Template?.Spec?.Containers);
        var last = cj.Status?.LastScheduleTime is { } t ? HumanDuration.Since(t, now) : "<none>";
        return
        [
            Cell(cj.Metadata?.Name),
            Cell(cj.Spec?.Schedule),
            Cell(cj.Spec?.TimeZone ?? "<none>"),
            // Upstream's printBoolPtr: "<unset>" for nil, else True/False.
            Cell(cj.Spec?.Suspend is { } suspend ? (suspend ? "True" : "False") : "<unset>"),
            Cell(cj.Status?.Active?.Count ?? 0),
            Cell(last),
            Cell(Age(cj, now)),
            Cell(names),
            Cell(images),
            Cell(FormatSelector(jobSpec?.Selector)),
        ];
    }
}
