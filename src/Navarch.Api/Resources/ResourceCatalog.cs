using Navarch.Api.Kinds;
using Navarch.Api.Kinds.ConfigMap;
using Navarch.Api.Kinds.ControllerRevision;
using Navarch.Api.Kinds.CronJob;
using Navarch.Api.Kinds.DaemonSet;
using Navarch.Api.Kinds.Deployment;
using Navarch.Api.Kinds.Endpoints;
using Navarch.Api.Kinds.EndpointSlice;
using Navarch.Api.Kinds.Event;
using Navarch.Api.Kinds.Job;
using Navarch.Api.Kinds.Lease;
using Navarch.Api.Kinds.Namespace;
using Navarch.Api.Kinds.Node;
using Navarch.Api.Kinds.Pod;
using Navarch.Api.Kinds.Rbac;
using Navarch.Api.Kinds.ReplicaSet;
using Navarch.Api.Kinds.ReplicationController;
using Navarch.Api.Kinds.Secret;
using Navarch.Api.Kinds.Service;
using Navarch.Api.Kinds.ServiceAccount;

namespace Navarch.Api.Resources;

/// <summary>Every resource the API server serves, in discovery order: one <see cref="KindDefinition"/> each.</summary>
public static class ResourceCatalog
{
    /// <summary>
    /// The registration of every served kind; a new kind is one line here plus its folder under Kinds/. Groups
    /// appear in discovery in upstream's order (core, apps, batch, coordination, discovery).
    /// </summary>
    public static IReadOnlyList<KindDefinition> Kinds { get; } =
    [
        new PodKind(), new ReplicationControllerKind(), new ServiceKind(), new EndpointsKind(), new NodeKind(),
        new NamespaceKind(), new EventKind(), new ConfigMapKind(), new SecretKind(), new ServiceAccountKind(),
        new DeploymentKind(), new ReplicaSetKind(), new DaemonSetKind(), new ControllerRevisionKind(),
        new JobKind(), new CronJobKind(),
        new LeaseKind(), new EndpointSliceKind(),
        new ClusterRoleKind(), new ClusterRoleBindingKind(), new RoleKind(), new RoleBindingKind(),
        new Kinds.CertificateSigningRequest.CertificateSigningRequestKind(),
    ];

    public static IReadOnlyList<ResourceType> All { get; } = Kinds.Select(k => k.Type).ToList();

    public static ResourceType Pods { get; } = Of<PodKind>();
    public static ResourceType ReplicationControllers { get; } = Of<ReplicationControllerKind>();
    public static ResourceType Services { get; } = Of<ServiceKind>();
    public static ResourceType Endpoints { get; } = Of<EndpointsKind>();
    public static ResourceType Nodes { get; } = Of<NodeKind>();
    public static ResourceType Namespaces { get; } = Of<NamespaceKind>();
    public static ResourceType Events { get; } = Of<EventKind>();
    public static ResourceType Leases { get; } = Of<LeaseKind>();
    public static ResourceType EndpointSlices { get; } = Of<EndpointSliceKind>();
    public static ResourceType ConfigMaps { get; } = Of<ConfigMapKind>();
    public static ResourceType Secrets { get; } = Of<SecretKind>();
    public static ResourceType ServiceAccounts { get; } = Of<ServiceAccountKind>();
    public static ResourceType Deployments { get; } = Of<DeploymentKind>();
    public static ResourceType ReplicaSets { get; } = Of<ReplicaSetKind>();
    public static ResourceType DaemonSets { get; } = Of<DaemonSetKind>();
    public static ResourceType ControllerRevisions { get; } = Of<ControllerRevisionKind>();
    public static ResourceType Jobs { get; } = Of<JobKind>();
    public static ResourceType CronJobs { get; } = Of<CronJobKind>();
    public static ResourceType Roles { get; } = Of<RoleKind>();
    public static ResourceType ClusterRoles { get; } = Of<ClusterRoleKind>();
    public static ResourceType RoleBindings { get; } = Of<RoleBindingKind>();
    public static ResourceType ClusterRoleBindings { get; } = Of<ClusterRoleBindingKind>();
    public static ResourceType CertificateSigningRequests { get; } = Of<Kinds.CertificateSigningRequest.CertificateSigningRequestKind>();

    /// <summary>The API groups other than core, in discovery order, with their versions.</summary>
    public static IReadOnlyList<(string Group, string Version)> Groups { get; } =
        All.Where(r => r.Group.Length > 0).Select(r => (r.Group, r.Version)).Distinct().ToList();

    public static ResourceType? Find(string group, string version, string plural) =>
        All.FirstOrDefault(r => r.Group == group && r.Version == version && r.Plural == plural);

    public static ResourceType? FindByKind(string apiVersion, string kind) =>
        All.FirstOrDefault(r => r.ApiVersion == apiVersion && r.Kind == kind);

    /// <summary>The resource whose model is <paramref name="clrType"/> (e.g. <c>typeof(V1Pod)</c>), or null.</summary>
    public static ResourceType? FindByModel(Type clrType) => All.FirstOrDefault(r => r.ClrType == clrType);

    private static ResourceType Of<TKind>() where TKind : KindDefinition => Kinds.OfType<TKind>().Single().Type;
}
