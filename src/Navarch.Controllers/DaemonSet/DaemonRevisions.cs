using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Navarch.Controllers.Deployment;
using Navarch.Controllers.PodControl;

namespace Navarch.Controllers.DaemonSet;

/// <summary>
/// A DaemonSet's ControllerRevisions (upstream's daemon/update.go): one per template, named
/// <c>&lt;daemonset&gt;-&lt;hash&gt;</c>, holding the template as a patch (what <c>kubectl rollout history|undo</c>
/// reads and applies back), numbered so that the current template has the highest revision.
/// </summary>
public static class DaemonRevisions
{
    public static string Hash(V1DaemonSet ds) => PodTemplateHash.Compute(ds.Spec.Template, ds.Status?.CollisionCount);

    public static string? HashOf(V1ControllerRevision r) => r.Metadata.Labels?.TryGetValue(DaemonPods.RevisionHashLabel, out var h) == true ? h : null;

    public static V1ControllerRevision New(V1DaemonSet ds, string hash, long revision)
    {
        var template = JsonNode.Parse(KubernetesJson.Serialize(ds.Spec.Template))!.AsObject();
        template["$patch"] = "replace";
        var labels = ds.Spec.Template.Metadata?.Labels is { } l ? new Dictionary<string, string>(l) : [];
        labels[DaemonPods.RevisionHashLabel] = hash;
        return new V1ControllerRevision
        {
            ApiVersion = "apps/v1",
            Kind = "ControllerRevision",
            Metadata = new V1ObjectMeta
            {
                Name = $"{ds.Metadata.Name}-{hash}",
                NamespaceProperty = ds.Metadata.NamespaceProperty,
                Labels = labels,
                Annotations = ds.Metadata.Annotations?.Where(a => a.Key != Revisions.LastApplied).ToDictionary(a => a.Key, a => a.Value),
                OwnerReferences = [ControllerRefs.For("apps/v1", "DaemonSet", ds.Metadata)],
            },
            Data = new JsonObject { ["spec"] = new JsonObject { ["template"] = template } },
            Revision = revision,
        };
    }

    /// <summary>Revisions past revisionHistoryLimit (default 10) that neither the current template nor any pod uses, oldest first.</summary>
    public static IReadOnlyList<V1ControllerRevision> ToPrune(V1DaemonSet ds, IReadOnlyList<V1ControllerRevision> revisions, string currentHash, IEnumerable<V1Pod> pods)
    {
        var used = pods.Select(DaemonPods.HashOf).Append(currentHash).ToHashSet();
        var limit = ds.Spec?.RevisionHistoryLimit ?? 10;
        var prunable = revisions.Where(r => !used.Contains(HashOf(r))).OrderBy(r => r.Revision).ToList();
        var surplus = revisions.Count - used.Count(h => revisions.Any(r => HashOf(r) == h)) - limit;
        return prunable.Take(Math.Max(0, surplus)).ToList();
    }
}
