using k8s;
using k8s.Models;
using Navarch.Api.Resources;
using Navarch.ApiServer.Registry;

namespace Navarch.ApiServer.Admission.PodSecurity;

/// <summary>
/// Upstream's PodSecurity plugin with its default configuration (no exemptions; unlabelled namespaces privileged):
/// a pod that violates its namespace's <c>enforce</c> level is refused, one that violates <c>warn</c> gets a warning;
/// workload templates (Deployment, ReplicaSet, …) only get warnings; a namespace's labels must be valid, and raising its
/// enforce level warns about the pods already there. <c>audit</c> is parsed but this server keeps no audit log.
/// </summary>
public sealed class PodSecurityAdmission(ObjectLookup lookup) : IValidatingAdmission
{
    /// <summary>Upstream's bound on the pods checked when a namespace's enforce level rises.</summary>
    private const int MaxPodsToCheck = 3000;

    /// <summary>Pod subresources that cannot change what the checks look at.</summary>
    private static readonly HashSet<string> IgnoredPodSubresources = ["exec", "attach", "binding", "eviction", "log", "portforward", "proxy", "status"];

    public string Name => AdmissionPluginNames.PodSecurity;

    public bool Handles(AdmissionOperation operation) => operation is AdmissionOperation.Create or AdmissionOperation.Update;

    public async Task ValidateAsync(AdmissionAttributes a, CancellationToken ct)
    {
        if (a.Resource == ResourceCatalog.Namespaces) ValidateNamespace(a);
        else if (a.Resource == ResourceCatalog.Pods) await ValidatePodAsync(a, ct);
        else if (Template(a.Object) is { } template && a.Subresource.Length == 0) await ValidateTemplateAsync(a, template, ct);
    }

    private void ValidateNamespace(AdmissionAttributes a)
    {
        if (a.Subresource.Length > 0 || a.Object is not V1Namespace ns) return;
        var policy = PodSecurityPolicy.FromLabels(ns.Metadata.Labels, out var errors);
        if (a.Operation == AdmissionOperation.Create)
        {
            if (errors.Count > 0) throw InvalidLabels(ns, errors);
            return;
        }
        var old = PodSecurityPolicy.FromLabels((a.OldObject as V1Namespace)?.Metadata.Labels, out var oldErrors);
        if (errors.Count > 0 && !errors.SequenceEqual(oldErrors)) throw InvalidLabels(ns, errors);
        if (policy.Enforce == old.Enforce || policy.Enforce.Level == PodSecurityLevel.Privileged) return;
        if (policy.Enforce.Minor == old.Enforce.Minor && policy.Enforce.Level <= old.Enforce.Level) return;
        foreach (var warning in ExistingPodWarnings(ns.Metadata.Name, policy.Enforce)) a.Request.Warn(warning);
    }

    private static ApiException InvalidLabels(V1Namespace ns, IReadOnlyList<string> errors)
    {
        var message = errors.Count == 1 ? errors[0] : "[" + string.Join(", ", errors) + "]";
        return ApiException.Invalid("Namespace", ns.Metadata.Name, message, errors.Select(e => new V1StatusCause { Reason = "FieldValueInvalid", Message = e }));
    }

    /// <summary>Upstream's warnings: one headline, then one line per distinct set of reasons, naming the first pod (and how many others).</summary>
    private IEnumerable<string> ExistingPodWarnings(string ns, LevelVersion enforce)
    {
        var pods = lookup.List(ResourceCatalog.Pods, ns).Select(o => (V1Pod)o.Object).ToList();
        var total = pods.Count;
        if (pods.Count > MaxPodsToCheck) pods = pods.Take(MaxPodsToCheck).ToList();
        var byReason = new Dictionary<string, (string First, int Count)>();
        var order = new List<string>();
        foreach (var pod in pods)
        {
            var result = PodSecurityEvaluator.Evaluate(enforce, pod.Metadata, pod.Spec);
            if (result.Allowed) continue;
            var reason = result.ForbiddenReason;
            if (!byReason.TryGetValue(reason, out var seen)) { order.Add(reason); byReason[reason] = (pod.Metadata.Name, 1); }
            else byReason[reason] = (string.CompareOrdinal(pod.Metadata.Name, seen.First) < 0 ? pod.Metadata.Name : seen.First, seen.Count + 1);
        }
        var warnings = new List<string>();
        if (pods.Count < total) warnings.Add($"new PodSecurity enforce level only checked against the first {pods.Count} of {total} existing pods");
        if (order.Count > 0) warnings.Add($"existing pods in namespace \"{ns}\" violate the new PodSecurity enforce level \"{enforce}\"");
        var lines = order.Select(reason =>
        {
            var (first, count) = byReason[reason];
            var who = count switch { 1 => first, 2 => $"{first} (and 1 other pod)", _ => $"{first} (and {count - 1} other pods)" };
            return $"{who}: {reason}";
        }).ToList();
        lines.Sort(StringComparer.Ordinal);
        return warnings.Concat(lines);
    }

    private async Task ValidatePodAsync(AdmissionAttributes a, CancellationToken ct)
    {
        if (IgnoredPodSubresources.Contains(a.Subresource) || a.Object is not V1Pod pod) return;
        var policy = await PolicyAsync(a.Namespace, ct);
        if (policy.AllPrivileged) return;
        if (a.Operation == AdmissionOperation.Update && a.OldObject is V1Pod old && !SignificantUpdate(pod, old)) return;
        Evaluate(a, policy, pod.Metadata, pod.Spec, enforce: true);
    }

    private async Task ValidateTemplateAsync(AdmissionAttributes a, V1PodTemplateSpec template, CancellationToken ct)
    {
        var policy = await PolicyAsync(a.Namespace, ct);
        if (policy.Warn.Level == PodSecurityLevel.Privileged || template.Spec is null) return;
        Evaluate(a, policy, template.Metadata, template.Spec, enforce: false);
    }

    private static void Evaluate(AdmissionAttributes a, PodSecurityPolicy policy, V1ObjectMeta? meta, V1PodSpec spec, bool enforce)
    {
        if (enforce)
        {
            var result = PodSecurityEvaluator.Evaluate(policy.Enforce, meta, spec);
            // Upstream adds no warning to a request it refuses.
            if (!result.Allowed) throw a.Forbidden($"violates PodSecurity \"{policy.Enforce}\": {result.ForbiddenDetail}");
        }
        var warn = PodSecurityEvaluator.Evaluate(policy.Warn, meta, spec);
        if (!warn.Allowed) a.Request.Warn($"would violate PodSecurity \"{policy.Warn}\": {warn.ForbiddenDetail}");
    }

    private async Task<PodSecurityPolicy> PolicyAsync(string ns, CancellationToken ct)
    {
        var found = await lookup.GetAsync(ResourceCatalog.Namespaces, null, ns, ct);
        return PodSecurityPolicy.FromLabels(found?.Object.Metadata.Labels, out _);
    }

    /// <summary>Upstream re-evaluates a pod update only when an image or a seccomp annotation changed (nothing else the checks read may change).</summary>
    private static bool SignificantUpdate(V1Pod pod, V1Pod old)
    {
        const string seccompPod = "seccomp.security.alpha.kubernetes.io/pod";
        string? Annotation(V1Pod p, string key) => p.Metadata.Annotations?.TryGetValue(key, out var v) == true ? v : null;
        if (Annotation(pod, seccompPod) != Annotation(old, seccompPod)) return true;
        var containers = (pod.Spec.InitContainers ?? []).Concat(pod.Spec.Containers ?? []).ToList();
        var oldContainers = (old.Spec.InitContainers ?? []).Concat(old.Spec.Containers ?? []).ToList();
        if ((pod.Spec.InitContainers?.Count ?? 0) != (old.Spec.InitContainers?.Count ?? 0) || containers.Count != oldContainers.Count) return true;
        for (var i = 0; i < containers.Count; i++)
        {
            var key = "container.seccomp.security.alpha.kubernetes.io/" + containers[i].Name;
            if (containers[i].Image != oldContainers[i].Image || Annotation(pod, key) != Annotation(old, key)) return true;
        }
        var oldEphemeral = old.Spec.EphemeralContainers?.Select(e => e.Name).ToHashSet() ?? [];
        return pod.Spec.EphemeralContainers?.Any(e => !oldEphemeral.Contains(e.Name)) == true;
    }

    /// <summary>The pod template of the workload kinds upstream checks; null for other kinds.</summary>
    private static V1PodTemplateSpec? Template(IKubernetesObject<V1ObjectMeta>? obj) => obj switch
    {
        V1ReplicationController rc => rc.Spec?.Template,
        V1ReplicaSet rs => rs.Spec?.Template,
        V1Deployment d => d.Spec?.Template,
        V1DaemonSet ds => ds.Spec?.Template,
        V1StatefulSet ss => ss.Spec?.Template,
        V1Job job => job.Spec?.Template,
        V1CronJob cj => cj.Spec?.JobTemplate?.Spec?.Template,
        V1PodTemplate pt => pt.Template,
        _ => null,
    };
}
