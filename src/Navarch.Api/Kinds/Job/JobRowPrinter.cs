using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Navarch.Api.Printing;

namespace Navarch.Api.Kinds.Job;

/// <summary>Jobs: NAME STATUS COMPLETIONS DURATION AGE | CONTAINERS IMAGES SELECTOR.</summary>
internal sealed class JobRowPrinter : RowPrinter
{
    public override IReadOnlyList<TableColumn> Columns { get; } =
    [
        TableColumn.ObjectName,
        TableColumn.Text("Status", "Status of the job."),
        TableColumn.Text("Completions", "The number of pods which reached phase Succeeded. The value increases monotonically for a given spec. However, it may decrease in reaction to scale down of elastic indexed jobs."),
        TableColumn.Text("Duration", "Time required to complete the job."),
        TableColumn.Age,
        TableColumn.Text("Containers", "Names of each container in the template.", 1),
        TableColumn.Text("Images", "Images referenced by each container in the template.", 1),
        TableColumn.Text("Selector", "A label query over pods that should match the pod count. Normally, the system sets this field for you. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors", 1),
    ];

    public override IReadOnlyList<JsonNode?> Cells(IKubernetesObject<V1ObjectMeta> obj, DateTimeOffset now)
    {
        var job = (V1Job)obj;
        var (names, images) = ContainerCells(job.Spec?.Template?.Spec?.Containers);
        return
        [
            Cell(job.Metadata?.Name),
            Cell(Status(job)),
            Cell(Completions(job)),
            Cell(Duration(job, now)),
            Cell(Age(job, now)),
            Cell(names),
            Cell(images),
            Cell(FormatSelector(job.Spec?.Selector)),
        ];
    }

    private static string Status(V1Job job)
    {
        bool Has(string type) => job.Status?.Conditions?.Any(c => c.Type == type && c.Status == "True") == true;
        if (Has("Complete")) return "Complete";
        if (Has("Failed")) return "Failed";
        if (job.Metadata?.DeletionTimestamp is not null) return "Terminating";
        if (Has("Suspended")) return "Suspended";
        if (Has("FailureTarget")) return "FailureTarget";
        return "Running";
    }

    private static string Completions(V1Job job)
    {
        var succeeded = job.Status?.Succeeded ?? 0;
        if (job.Spec?.Completions is { } completions) return $"{succeeded}/{completions}";
        var parallelism = job.Spec?.Parallelism ?? 0;
        return parallelism > 1 ? $"{succeeded}/1 of {parallelism}" : $"{succeeded}/1";
    }

    private static string Duration(V1Job job, DateTimeOffset now)
    {
        if (job.Status?.StartTime is not { } start) return "";
        var end = job.Status.CompletionTime is { } done ? new DateTimeOffset(DateTime.SpecifyKind(done, DateTimeKind.Utc)) : now;
        return HumanDuration.Format(end - new DateTimeOffset(DateTime.SpecifyKind(start, DateTimeKind.Utc)));
    }
}
