using k8s.Models;
using Navarch.Api.Defaulting;
using Navarch.Api.Printing;
using Navarch.Api.Resources;
using Navarch.Api.Schema;
using Navarch.Api.Validation;

namespace Navarch.Api.Kinds.Job;

/// <summary>batch/v1 Job: upstream's defaults, the generated controller-uid selector, and the template rules.</summary>
public sealed class JobKind() : KindDefinition<V1Job>(ResourceType.Create<V1Job>(
    "batch", "v1", "Job", "jobs", namespaced: true, categories: ["all"], subresources: ["status"]))
{
    public const string ControllerUidLabel = "batch.kubernetes.io/controller-uid";
    public const string LegacyControllerUidLabel = "controller-uid";
    public const string JobNameLabel = "batch.kubernetes.io/job-name";
    public const string LegacyJobNameLabel = "job-name";

    internal override RowPrinter Printer { get; } = new JobRowPrinter();

    public override bool TracksGeneration => true;

    public override IReadOnlyList<string> SelectableFields { get; } = ["metadata.name", "metadata.namespace", "status.successful"];

    protected override string? FieldValue(V1Job job, string field) => field == "status.successful" ? Int(job.Status?.Succeeded) : null;

    /// <summary>SetDefaults_Job (batch/v1) and the strategy's generateSelector (needs the uid, stamped before defaulting).</summary>
    protected override void Default(V1Job job)
    {
        var spec = job.Spec ??= new V1JobSpec();
        if (spec.Completions is null && spec.Parallelism is null)
        {
            spec.Completions = 1;
            spec.Parallelism = 1;
        }
        spec.Parallelism ??= 1;
        spec.BackoffLimit ??= spec.BackoffLimitPerIndex is null ? 6 : int.MaxValue;
        if (string.IsNullOrEmpty(spec.CompletionMode)) spec.CompletionMode = "NonIndexed";
        spec.Suspend ??= false;
        if (string.IsNullOrEmpty(spec.PodReplacementPolicy))
            spec.PodReplacementPolicy = spec.PodFailurePolicy is null ? "TerminatingOrFailed" : "Failed";
        var templateLabels = spec.Template?.Metadata?.Labels;
        job.Metadata ??= new V1ObjectMeta();
        if ((job.Metadata.Labels is null || job.Metadata.Labels.Count == 0) && templateLabels is { Count: > 0 })
            job.Metadata.Labels = new Dictionary<string, string>(templateLabels);
        GenerateSelector(job);
        if (spec.Template?.Spec is { } podSpec) PodDefaults.ApplySpec(podSpec);
    }

    /// <summary>Unless manualSelector, selects the job's pods by its uid and labels the template so.</summary>
    private static void GenerateSelector(V1Job job)
    {
        var spec = job.Spec;
        var uid = job.Metadata.Uid;
        if (spec.ManualSelector == true || spec.Selector is not null || string.IsNullOrEmpty(uid) || spec.Template is null) return;
        spec.Template.Metadata ??= new V1ObjectMeta();
        var labels = spec.Template.Metadata.Labels ??= new Dictionary<string, string>();
        labels[ControllerUidLabel] = uid;
        labels[LegacyControllerUidLabel] = uid;
        if (!string.IsNullOrEmpty(job.Metadata.Name))
        {
            labels[JobNameLabel] = job.Metadata.Name;
            labels[LegacyJobNameLabel] = job.Metadata.Name;
        }
        spec.Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { [ControllerUidLabel] = uid } };
    }

    protected override void Validate(V1Job job, List<FieldError> errors)
    {
        MetadataValidator.ValidateObjectMeta(job.Metadata, namespaced: true, NameRules.DnsSubdomain, "metadata", errors);
        JobSpecRules.Validate(job.Spec ?? new V1JobSpec(), "spec", errors);
    }

    protected override void ValidateUpdate(V1Job job, V1Job old, List<FieldError> errors) =>
        JobSpecRules.ValidateUpdate(job.Spec ?? new V1JobSpec(), old.Spec ?? new V1JobSpec(), errors);

    public override void DeclarePatchKeys(PatchKeyTable table) =>
        table.Add(typeof(V1JobStatus), "conditions", PatchKey.MergeByType);
}
