using k8s.Models;

namespace Navarch.Api.Resources;

/// <summary>Every resource the API server serves, in discovery order.</summary>
public static class ResourceCatalog
{
    public static ResourceType Namespaces { get; } = ResourceType.Create<V1Namespace>(
        "", "v1", "Namespace", "namespaces", namespaced: false, shortNames: ["ns"], subresources: ["status", "finalize"]);

    public static ResourceType Pods { get; } = ResourceType.Create<V1Pod>(
        "", "v1", "Pod", "pods", namespaced: true, shortNames: ["po"], categories: ["all"],
        subresources: ["status", "binding", "log", "exec", "attach", "portforward"]);

    public static ResourceType ReplicationControllers { get; } = ResourceType.Create<V1ReplicationController>(
        "", "v1", "ReplicationController", "replicationcontrollers", namespaced: true, shortNames: ["rc"], categories: ["all"],
        subresources: ["status", "scale"]);

    public static ResourceType Services { get; } = ResourceType.Create<V1Service>(
        "", "v1", "Service", "services", namespaced: true, shortNames: ["svc"], categories: ["all"], subresources: ["status"]);

    public static ResourceType Endpoints { get; } = ResourceType.Create<V1Endpoints>(
        "", "v1", "Endpoints", "endpoints", namespaced: true, shortNames: ["ep"]);

    public static ResourceType Nodes { get; } = ResourceType.Create<V1Node>(
        "", "v1", "Node", "nodes", namespaced: false, shortNames: ["no"], subresources: ["status"]);

    public static ResourceType Events { get; } = ResourceType.Create<Corev1Event>(
        "", "v1", "Event", "events", namespaced: true, shortNames: ["ev"]);

    public static ResourceType Leases { get; } = ResourceType.Create<V1Lease>(
        "coordination.k8s.io", "v1", "Lease", "leases", namespaced: true);

    public static ResourceType EndpointSlices { get; } = ResourceType.Create<V1EndpointSlice>(
        "discovery.k8s.io", "v1", "EndpointSlice", "endpointslices", namespaced: true);

    public static ResourceType ClusterRoles { get; } = ResourceType.Create<V1ClusterRole>(
        "rbac.authorization.k8s.io", "v1", "ClusterRole", "clusterroles", namespaced: false);

    public static ResourceType ClusterRoleBindings { get; } = ResourceType.Create<V1ClusterRoleBinding>(
        "rbac.authorization.k8s.io", "v1", "ClusterRoleBinding", "clusterrolebindings", namespaced: false);

    public static ResourceType Roles { get; } = ResourceType.Create<V1Role>(
        "rbac.authorization.k8s.io", "v1", "Role", "roles", namespaced: true);

    public static ResourceType RoleBindings { get; } = ResourceType.Create<V1RoleBinding>(
        "rbac.authorization.k8s.io", "v1", "RoleBinding", "rolebindings", namespaced: true);

    public static IReadOnlyList<ResourceType> All { get; } =
        [Pods, ReplicationControllers, Services, Endpoints, Nodes, Namespaces, Events, Leases, EndpointSlices,
         ClusterRoles, ClusterRoleBindings, Roles, RoleBindings];

    /// <summary>The API groups other than core, in discovery order, with their versions.</summary>
    public static IReadOnlyList<(string Group, string Version)> Groups { get; } =
        All.Where(r => r.Group.Length > 0).Select(r => (r.Group, r.Version)).Distinct().ToList();

    public static ResourceType? Find(string group, string version, string plural) =>
        All.FirstOrDefault(r => r.Group == group && r.Version == version && r.Plural == plural);

    public static ResourceType? FindByKind(string apiVersion, string kind) =>
        All.FirstOrDefault(r => r.ApiVersion == apiVersion && r.Kind == kind);
}
