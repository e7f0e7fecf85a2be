using k8s;
using k8s.Models;
using Navarch.Api.Defaulting;
using Navarch.Api.Printing;
using Navarch.Api.Resources;
using Navarch.Api.Schema;
using Navarch.Api.Validation;

namespace Navarch.Api.Kinds.Pod;

/// <summary>v1 Pod: graceful deletion for pods bound to a node, the node agent's field selectors.</summary>
public sealed class PodKind() : KindDefinition<V1Pod>(ResourceType.Create<V1Pod>(
    "", "v1", "Pod", "pods", namespaced: true, shortNames: ["po"], categories: ["all"],
    subresources: ["status", "binding", "log", "exec", "attach", "portforward"]))
{
    private const long DefaultGracePeriodSeconds = 30;

    internal override RowPrinter Printer { get; } = new PodRowPrinter();

    public override IReadOnlyList<string> SelectableFields { get; } =
    [
        "metadata.name", "metadata.namespace", "spec.nodeName", "spec.restartPolicy", "spec.schedulerName",
        "spec.serviceAccountName", "spec.hostNetwork", "status.phase", "status.podIP", "status.nominatedNodeName",
    ];

    public override bool ReturnsDeletedObject => true;

    protected override void Default(V1Pod pod) => PodDefaults.ApplyPod(pod);

    protected override void Validate(V1Pod pod, List<FieldError> errors) => PodValidator.ValidateCreate(pod, errors);

    protected override void ValidateUpdate(V1Pod pod, V1Pod old, List<FieldError> errors) => PodValidator.ValidateUpdate(pod, old, errors);

    public override string NormalizeField(string field) => field == "spec.host" ? "spec.nodeName" : field;

    protected override string? FieldValue(V1Pod pod, string field) => field switch
    {
        "spec.nodeName" => pod.Spec?.NodeName ?? "",
        "spec.restartPolicy" => pod.Spec?.RestartPolicy ?? "",
        "spec.schedulerName" => pod.Spec?.SchedulerName ?? "",
        "spec.serviceAccountName" => pod.Spec?.ServiceAccountName ?? "",
        "spec.hostNetwork" => Bool(pod.Spec?.HostNetwork),
        "status.phase" => pod.Status?.Phase ?? "",
        // Upstream takes the first of podIPs, not the legacy podIP field.
        "status.podIP" => pod.Status?.PodIPs?.FirstOrDefault()?.Ip ?? pod.Status?.PodIP ?? "",
        "status.nominatedNodeName" => pod.Status?.NominatedNodeName ?? "",
        _ => null,
    };

    public override void DeclarePatchKeys(PatchKeyTable table) => table
        .Add(typeof(V1PodStatus), "conditions", PatchKey.MergeByType)
        .Add(typeof(V1PodStatus), "hostIPs", new("merge", "ip"))
        .Add(typeof(V1PodStatus), "podIPs", new("merge", "ip", "map", ["ip"]))
        .Add(typeof(V1PodStatus), "resourceClaimStatuses", new("merge,retainKeys", "name", "map", ["name"]));

    /// <summary>Only pods bound to a node that have not finished wait; the rest go at once.</summary>
    public override long GracePeriodSeconds(IKubernetesObject<V1ObjectMeta> obj, V1DeleteOptions options)
    {
        var pod = (V1Pod)obj;
        if (string.IsNullOrEmpty(pod.Spec?.NodeName) || pod.Status?.Phase is "Succeeded" or "Failed") return 0;
        return Math.Max(0, options.GracePeriodSeconds ?? pod.Spec?.TerminationGracePeriodSeconds ?? DefaultGracePeriodSeconds);
    }
}
