using k8s;
using k8s.Models;

namespace Navarch.Controllers.Deployment;

/// <summary>
/// One sync of one Deployment: its (copied) object, its sets as <see cref="PlannedSet"/>s, which of them is the
/// new one (the template's), and the time the sync runs at.
/// </summary>
public sealed class Rollout(V1Deployment deployment, IEnumerable<V1ReplicaSet> sets, DateTimeOffset now)
{
    private readonly List<PlannedSet> _all = sets.Select(s => new PlannedSet(s)).ToList();

    public V1Deployment Deployment { get; } = deployment;
    public DateTimeOffset Now { get; } = now;
    public IReadOnlyList<PlannedSet> All => _all;
    public PlannedSet? New { get; private set; }
    public IReadOnlyList<PlannedSet> Old => _all.Where(s => s != New).ToList();

    /// <summary>Picks the new set among the sets (see <see cref="FindNewSet"/>).</summary>
    public void Resolve() => New = FindNewSet(Deployment, _all);

    /// <summary>Puts a written version of a set in place of the one planned on.</summary>
    public PlannedSet Replace(PlannedSet old, V1ReplicaSet written)
    {
        var next = new PlannedSet(written);
        _all[_all.IndexOf(old)] = next;
        if (New == old) New = next;
        return next;
    }

    /// <summary>Adds the just-created new set.</summary>
    public PlannedSet AddNew(V1ReplicaSet created)
    {
        New = new PlannedSet(created);
        _all.Add(New);
        return New;
    }

    /// <summary>Upstream's FindNewReplicaSet: the oldest set whose template equals the Deployment's (but for the hash label).</summary>
    public static PlannedSet? FindNewSet(V1Deployment d, IEnumerable<PlannedSet> sets) =>
        sets.OrderBy(s => s, Comparer<PlannedSet>.Create(PlannedSet.ByCreation))
            .FirstOrDefault(s => PodTemplateHash.EqualIgnoringHash(s.Set.Spec?.Template, d.Spec?.Template));

    /// <summary>
    /// The new set upstream's getNewReplicaSet would create: named <c>&lt;deployment&gt;-&lt;hash&gt;</c>, the
    /// template and selector with the pod-template-hash label, sized within the surge, annotated with the revision.
    /// </summary>
    public V1ReplicaSet BuildNewSet(long revision)
    {
        var d = Deployment;
        var hash = PodTemplateHash.Compute(d.Spec.Template, d.Status?.CollisionCount);
        var template = KubernetesJson.Deserialize<V1PodTemplateSpec>(KubernetesJson.Serialize(d.Spec.Template));
        template.Metadata ??= new V1ObjectMeta();
        (template.Metadata.Labels ??= new Dictionary<string, string>())[PodTemplateHash.Label] = hash;
        var selector = KubernetesJson.Deserialize<V1LabelSelector>(KubernetesJson.Serialize(d.Spec.Selector));
        (selector.MatchLabels ??= new Dictionary<string, string>())[PodTemplateHash.Label] = hash;
        var rs = new V1ReplicaSet
        {
            ApiVersion = "apps/v1",
            Kind = "ReplicaSet",
            Metadata = new V1ObjectMeta
            {
                Name = $"{d.Metadata.Name}-{hash}",
                NamespaceProperty = d.Metadata.NamespaceProperty,
                Labels = new Dictionary<string, string>(template.Metadata.Labels),
                Annotations = new Dictionary<string, string>(),
                OwnerReferences = [PodControl.ControllerRefs.For("apps/v1", "Deployment", d.Metadata)],
            },
            Spec = new V1ReplicaSetSpec { Replicas = 0, MinReadySeconds = d.Spec.MinReadySeconds, Selector = selector, Template = template },
        };
        var planned = new PlannedSet(rs);
        rs.Spec.Replicas = RolloutPlanner.NewSetReplicas(d, [.. _all, planned], planned);
        Revisions.SetNewSetAnnotations(d, rs.Metadata.Annotations, revision, exists: false, RolloutPlanner.MaxSurge(d));
        return rs;
    }
}
