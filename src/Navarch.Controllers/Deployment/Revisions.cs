using System.Globalization;
using k8s.Models;

namespace Navarch.Controllers.Deployment;

/// <summary>
/// The annotations a Deployment keeps on itself and its ReplicaSets (upstream's deployment/util): the revision
/// (what <c>kubectl rollout history</c> lists and <c>undo</c> picks from), the revisions a set was before a
/// rollback, and the replica counts the set was sized for (what proportional scaling reads).
/// </summary>
public static class Revisions
{
    public const string Revision = "deployment.kubernetes.io/revision";
    public const string RevisionHistory = "deployment.kubernetes.io/revision-history";
    public const string DesiredReplicas = "deployment.kubernetes.io/desired-replicas";
    public const string MaxReplicas = "deployment.kubernetes.io/max-replicas";
    public const string LastApplied = "kubectl.kubernetes.io/last-applied-configuration";
    /// <summary>Upstream's cap on the revision-history annotation's length.</summary>
    public const int MaxHistoryChars = 2000;

    private static readonly HashSet<string> NotCopied =
        [LastApplied, Revision, RevisionHistory, DesiredReplicas, MaxReplicas, "deprecated.deployment.rollback.to"];

    /// <summary>The set's revision (0 when absent or unreadable).</summary>
    public static long Of(V1ReplicaSet rs) =>
        rs.Metadata.Annotations?.TryGetValue(Revision, out var v) == true && long.TryParse(v, CultureInfo.InvariantCulture, out var r) ? r : 0;

    public static long Max(IEnumerable<V1ReplicaSet> sets) => sets.Select(Of).DefaultIfEmpty(0).Max();

    /// <summary>
    /// Upstream's SetNewReplicaSetAnnotations: copies the Deployment's own annotations, raises the revision to
    /// <paramref name="newRevision"/> (remembering the one it replaces, as after a rollback) and, for a set
    /// about to be created, the replica annotations. Returns whether anything changed.
    /// </summary>
    public static bool SetNewSetAnnotations(V1Deployment d, IDictionary<string, string> annotations, long newRevision, bool exists, int maxSurge)
    {
        var changed = CopyDeploymentAnnotations(d, annotations);
        var had = annotations.TryGetValue(Revision, out var oldText);
        long old = 0;
        if (had && !long.TryParse(oldText, CultureInfo.InvariantCulture, out old)) return changed;
        if (old < newRevision)
        {
            annotations[Revision] = newRevision.ToString(CultureInfo.InvariantCulture);
            changed = true;
            if (had) AppendHistory(annotations, oldText!);
        }
        if (!exists) changed |= SetReplicaAnnotations(annotations, Replicas(d), Replicas(d) + maxSurge);
        return changed;
    }

    /// <summary>Records the desired and maximum replicas a set is sized for; returns whether they changed.</summary>
    public static bool SetReplicaAnnotations(IDictionary<string, string> annotations, int desired, int max)
    {
        var (d, m) = (desired.ToString(CultureInfo.InvariantCulture), max.ToString(CultureInfo.InvariantCulture));
        var changed = !annotations.TryGetValue(DesiredReplicas, out var od) || od != d || !annotations.TryGetValue(MaxReplicas, out var om) || om != m;
        annotations[DesiredReplicas] = d;
        annotations[MaxReplicas] = m;
        return changed;
    }

    public static bool ReplicaAnnotationsNeedUpdate(V1ReplicaSet rs, int desired, int max) =>
        Annotation(rs, DesiredReplicas) != desired.ToString(CultureInfo.InvariantCulture)
        || Annotation(rs, MaxReplicas) != max.ToString(CultureInfo.InvariantCulture);

    private static string? Annotation(V1ReplicaSet rs, string key) =>
        rs.Metadata.Annotations?.TryGetValue(key, out var v) == true ? v : null;

    public static int? DesiredOf(V1ReplicaSet rs) => IntAnnotation(rs, DesiredReplicas);

    public static int? MaxOf(V1ReplicaSet rs) => IntAnnotation(rs, MaxReplicas);

    public static int Replicas(V1Deployment d) => d.Spec?.Replicas ?? 1;

    private static int? IntAnnotation(V1ReplicaSet rs, string key) =>
        rs.Metadata.Annotations?.TryGetValue(key, out var v) == true && int.TryParse(v, CultureInfo.InvariantCulture, out var n) ? n : null;

    private static bool CopyDeploymentAnnotations(V1Deployment d, IDictionary<string, string> annotations)
    {
        var changed = false;
        foreach (var (k, v) in d.Metadata.Annotations ?? new Dictionary<string, string>())
        {
            if (NotCopied.Contains(k) || (annotations.TryGetValue(k, out var have) && have == v)) continue;
            annotations[k] = v;
            changed = true;
        }
        return changed;
    }

    // The set was revision oldRevision before; keep that in its history, dropping the oldest past the cap.
    private static void AppendHistory(IDictionary<string, string> annotations, string oldRevision)
    {
        var history = annotations.TryGetValue(RevisionHistory, out var h) ? h : "";
        if (history.Length == 0)
        {
            annotations[RevisionHistory] = oldRevision;
            return;
        }
        var entries = history.Split(',').ToList();
        var total = history.Length + oldRevision.Length + 1;
        var start = 0;
        while (total > MaxHistoryChars && start < entries.Count) total -= entries[start++].Length + 1;
        if (total > MaxHistoryChars) return;
        annotations[RevisionHistory] = string.Join(",", entries.Skip(start).Append(oldRevision));
    }
}
