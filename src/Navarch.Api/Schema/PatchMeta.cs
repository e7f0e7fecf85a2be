using k8s.Models;

namespace Navarch.Api.Schema;

/// <summary>
/// Patch and apply metadata of the built-in types, transcribed from upstream's Go struct tags
/// (<c>patchStrategy</c>, <c>patchMergeKey</c>) and list markers (<c>+listType</c>, <c>+listMapKey</c>,
/// <c>+mapType</c>, <c>+structType</c>) in k8s.io/api core/v1, apps/v1, batch/v1, autoscaling/v2, policy/v1
/// and apimachinery's meta/v1. coordination/v1 and discovery/v1 declare none. Keyed by the KubernetesClient model type.
/// </summary>
public static class PatchMeta
{
    private static readonly PatchKey MergeByName = PatchKey.MergeByName;
    private static readonly PatchKey MergeByType = PatchKey.MergeByType;
    private static readonly PatchKey AtomicMap = PatchKey.AtomicMap;

    private static readonly IReadOnlyDictionary<(Type, string), PatchKey> Table = Build();

    /// <summary>Struct types upstream marks <c>+structType=atomic</c>: owned and replaced as a whole by apply.</summary>
    private static readonly HashSet<Type> AtomicStructs =
    [
        typeof(V1LabelSelector), typeof(V1NodeSelector), typeof(V1NodeSelectorTerm), typeof(V1TopologySelectorTerm),
        typeof(V1ObjectReference), typeof(V1LocalObjectReference), typeof(V1TypedLocalObjectReference),
        typeof(V1SecretReference), typeof(V1SecretKeySelector), typeof(V1ConfigMapKeySelector),
        typeof(V1ObjectFieldSelector), typeof(V1ResourceFieldSelector), typeof(V1ScopeSelector),
        typeof(V1EndpointAddress), typeof(Corev1EndpointPort),
    ];

    /// <summary>
    /// The strategic-merge strategy (<c>"merge"</c>, <c>"merge,retainKeys"</c>, <c>"retainKeys"</c>, <c>"replace"</c>)
    /// and merge key of a property; (null, null) when upstream declares none (lists are then replaced whole).
    /// </summary>
    public static (string? Strategy, string? MergeKey) For(Type modelType, string jsonProperty) =>
        Table.TryGetValue((modelType, jsonProperty), out var e) ? (e.Strategy, e.MergeKey) : (null, null);

    /// <summary>
    /// The model type of a property's value, unwrapping <c>IList&lt;T&gt;</c> and <c>IDictionary&lt;string,T&gt;</c>
    /// to T; null when <paramref name="modelType"/> does not declare the property.
    /// </summary>
    public static Type? ElementType(Type modelType, string jsonProperty)
    {
        var type = ModelShape.PropertyType(modelType, jsonProperty);
        if (type is null)
            return null;
        return ModelShape.KindOf(type) is ShapeKind.List or ShapeKind.Map ? ModelShape.ElementOf(type) : Nullable.GetUnderlyingType(type) ?? type;
    }

    /// <summary>
    /// How server-side apply treats a list property: <c>"map"</c> (items keyed by <see cref="ListMapKeys"/>),
    /// <c>"set"</c> (scalar items), or <c>"atomic"</c> (owned and replaced whole; upstream's default).
    /// </summary>
    public static string ListType(Type modelType, string jsonProperty) =>
        Table.TryGetValue((modelType, jsonProperty), out var e) && e.ListType is not null ? e.ListType : "atomic";

    /// <summary>The <c>+listMapKey</c> fields that identify an item of a list-map (e.g. port and protocol), or empty.</summary>
    public static IReadOnlyList<string> ListMapKeys(Type modelType, string jsonProperty) =>
        Table.TryGetValue((modelType, jsonProperty), out var e) && e.MapKeys is not null ? e.MapKeys : [];

    /// <summary>
    /// True when server-side apply owns the property's value as one leaf: maps marked <c>+mapType=atomic</c>
    /// (e.g. Service and RC selectors, nodeSelector) and struct types marked <c>+structType=atomic</c>.
    /// </summary>
    public static bool IsAtomic(Type modelType, string jsonProperty)
    {
        if (Table.TryGetValue((modelType, jsonProperty), out var e) && e == PatchKey.AtomicMap)
            return true;
        var type = ModelShape.PropertyType(modelType, jsonProperty);
        return type is not null && AtomicStructs.Contains(type);
    }

    /// <summary>True when a struct type is marked <c>+structType=atomic</c> (used for list items and map values).</summary>
    public static bool IsAtomicStruct(Type? type) => type is not null && AtomicStructs.Contains(type);

    /// <summary>The tags of the shared types (metadata, pod template) and of every served kind's own types.</summary>
    private static IReadOnlyDictionary<(Type, string), PatchKey> Build()
    {
        var table = new PatchKeyTable();
        var t = table.Entries;

        // meta/v1 ObjectMeta
        t[(typeof(V1ObjectMeta), "finalizers")] = new("merge", null, "set");
        t[(typeof(V1ObjectMeta), "ownerReferences")] = new("merge", "uid", "map", ["uid"]);

        // core/v1 PodSpec
        t[(typeof(V1PodSpec), "volumes")] = new("merge,retainKeys", "name", "map", ["name"]);
        t[(typeof(V1PodSpec), "initContainers")] = MergeByName;
        t[(typeof(V1PodSpec), "containers")] = MergeByName;
        t[(typeof(V1PodSpec), "ephemeralContainers")] = MergeByName;
        t[(typeof(V1PodSpec), "imagePullSecrets")] = MergeByName;
        t[(typeof(V1PodSpec), "hostAliases")] = new("merge", "ip", "map", ["ip"]);
        t[(typeof(V1PodSpec), "topologySpreadConstraints")] = new("merge", "topologyKey", "map", ["topologyKey", "whenUnsatisfiable"]);
        t[(typeof(V1PodSpec), "schedulingGates")] = MergeByName;
        t[(typeof(V1PodSpec), "resourceClaims")] = new("merge,retainKeys", "name", "map", ["name"]);
        t[(typeof(V1PodSpec), "nodeSelector")] = AtomicMap;

        // core/v1 Container and EphemeralContainer (EphemeralContainerCommon); resizePolicy is atomic upstream.
        foreach (var container in new[] { typeof(V1Container), typeof(V1EphemeralContainer) })
        {
            t[(container, "ports")] = new("merge", "containerPort", "map", ["containerPort", "protocol"]);
            t[(container, "env")] = MergeByName;
            t[(container, "volumeMounts")] = new("merge", "mountPath", "map", ["mountPath"]);
            t[(container, "volumeDevices")] = new("merge", "devicePath", "map", ["devicePath"]);
        }
        t[(typeof(V1ResourceRequirements), "claims")] = new(null, null, "map", ["name"]);
        t[(typeof(V1ContainerStatus), "volumeMounts")] = new("merge", "mountPath", "map", ["mountPath"]);
        t[(typeof(V1ContainerStatus), "allocatedResourcesStatus")] = MergeByName;

        // core/v1 PodStatus
        t[(typeof(V1PodStatus), "conditions")] = MergeByType;
        t[(typeof(V1PodStatus), "hostIPs")] = new("merge", "ip");
        t[(typeof(V1PodStatus), "podIPs")] = new("merge", "ip", "map", ["ip"]);
        t[(typeof(V1PodStatus), "resourceClaimStatuses")] = new("merge,retainKeys", "name", "map", ["name"]);

        t[(typeof(V1ServiceAccount), "secrets")] = MergeByName;
        t[(typeof(V1PersistentVolumeClaimStatus), "conditions")] = MergeByType;
        t[(typeof(V1ComponentStatus), "conditions")] = MergeByType;

        // Kinds not served yet: apps/v1 StatefulSet, autoscaling/v2, policy/v1
        foreach (var status in new[] { typeof(V1StatefulSetStatus), typeof(V2HorizontalPodAutoscalerStatus), typeof(V1PodDisruptionBudgetStatus) })
            t[(status, "conditions")] = MergeByType;
        t[(typeof(V1PodDisruptionBudgetSpec), "selector")] = new("replace", null);

        foreach (var kind in Resources.ResourceCatalog.Kinds) kind.DeclarePatchKeys(table);
        return table.Entries;
    }
}
