using k8s;
using k8s.Models;
using Navarch.Api.Selectors;

namespace Navarch.Controllers.PodControl;

/// <param name="Owned">Objects the controller owns and that match its selector.</param>
/// <param name="Adopt">Orphans that match: to patch with the controller's ownerReference.</param>
/// <param name="Release">Owned objects that no longer match: to patch without it.</param>
public sealed record Claim<T>(IReadOnlyList<T> Owned, IReadOnlyList<T> Adopt, IReadOnlyList<T> Release);

/// <summary>Controller references: making them, and upstream's ControllerRefManager claim over pods or ReplicaSets.</summary>
public static class ControllerRefs
{
    /// <summary>The ownerReference that marks <paramref name="owner"/> (of <paramref name="apiVersion"/>/<paramref name="kind"/>) as controller.</summary>
    public static V1OwnerReference For(string apiVersion, string kind, V1ObjectMeta owner) => new()
    {
        ApiVersion = apiVersion,
        Kind = kind,
        Name = owner.Name,
        Uid = owner.Uid,
        Controller = true,
        BlockOwnerDeletion = true,
    };

    /// <summary>The ownerReference with controller=true, if any.</summary>
    public static V1OwnerReference? ControllerOf(IKubernetesObject<V1ObjectMeta> obj) =>
        obj.Metadata.OwnerReferences?.FirstOrDefault(r => r.Controller == true);

    /// <summary>
    /// Upstream's ClaimObject over candidates of the owner's namespace: keep owned matching objects, adopt
    /// matching orphans, release owned objects that stopped matching; an owner being deleted neither adopts
    /// nor releases; an empty selector matches nothing; objects controlled by someone else are left alone.
    /// </summary>
    public static Claim<T> Claim<T>(V1ObjectMeta owner, LabelSelector selector, IEnumerable<T> candidates)
        where T : IKubernetesObject<V1ObjectMeta>
    {
        var deleting = owner.DeletionTimestamp is not null;
        List<T> owned = [], adopt = [], release = [];
        foreach (var obj in candidates)
        {
            if (obj.Metadata.NamespaceProperty != owner.NamespaceProperty) continue;
            var matches = !selector.IsEverything && selector.Matches(obj.Metadata.Labels);
            var controller = ControllerOf(obj);
            if (controller is not null)
            {
                if (controller.Uid != owner.Uid) continue;
                if (matches) owned.Add(obj);
                else if (!deleting) release.Add(obj);
            }
            else if (matches && !deleting && obj.Metadata.DeletionTimestamp is null)
            {
                adopt.Add(obj);
            }
        }
        return new Claim<T>(owned, adopt, release);
    }

    /// <summary>A strategic-merge patch that adds <paramref name="ownerRef"/> to the object with <paramref name="uid"/>.</summary>
    public static V1Patch AdoptPatch(V1OwnerReference ownerRef, string uid) =>
        new($$$"""{"metadata":{"ownerReferences":[{{{KubernetesJson.Serialize(ownerRef)}}}],"uid":"{{{uid}}}"}}""", V1Patch.PatchType.StrategicMergePatch);

    /// <summary>A strategic-merge patch that removes the reference to <paramref name="ownerUid"/> from the object with <paramref name="uid"/>.</summary>
    public static V1Patch ReleasePatch(string ownerUid, string uid) =>
        new($$$"""{"metadata":{"ownerReferences":[{"$patch":"delete","uid":"{{{ownerUid}}}"}],"uid":"{{{uid}}}"}}""", V1Patch.PatchType.StrategicMergePatch);
}
