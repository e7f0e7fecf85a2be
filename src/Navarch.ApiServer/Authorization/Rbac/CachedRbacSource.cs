using System.Collections.Immutable;
using k8s.Models;
using Navarch.Api.Resources;
using Navarch.ApiServer.Watching;

namespace Navarch.ApiServer.Authorization.Rbac;

/// <summary>
/// Roles and bindings as the watch cache holds them. The cache replaces a kind's snapshot on every write of that
/// kind, so comparing the four snapshot references tells whether the index is current: reads never rebuild it,
/// only the first request after a role or binding changed does (≈ a few ms for a thousand bindings).
/// </summary>
public sealed class CachedRbacSource(WatchCache cache) : IRbacSource
{
    private sealed record Built(RbacIndex Index, object ClusterRoles, object Roles, object ClusterRoleBindings, object RoleBindings);

    private Built? _built;

    public RbacIndex Current
    {
        get
        {
            var (clusterRoles, roles) = (Snapshot(ResourceCatalog.ClusterRoles), Snapshot(ResourceCatalog.Roles));
            var (clusterBindings, bindings) = (Snapshot(ResourceCatalog.ClusterRoleBindings), Snapshot(ResourceCatalog.RoleBindings));
            var built = Volatile.Read(ref _built);
            if (built is not null && ReferenceEquals(built.ClusterRoles, clusterRoles) && ReferenceEquals(built.Roles, roles)
                && ReferenceEquals(built.ClusterRoleBindings, clusterBindings) && ReferenceEquals(built.RoleBindings, bindings))
                return built.Index;
            var index = new RbacIndex(
                Objects<V1ClusterRole>(clusterRoles), Objects<V1Role>(roles),
                Objects<V1ClusterRoleBinding>(clusterBindings), Objects<V1RoleBinding>(bindings));
            // Two requests may build at once; either result is current, the last one stays.
            Volatile.Write(ref _built, new Built(index, clusterRoles, roles, clusterBindings, bindings));
            return index;
        }
    }

    private ImmutableSortedDictionary<string, CachedObject> Snapshot(ResourceType rt) => cache.For(rt).Snapshot;

    private static IEnumerable<T> Objects<T>(ImmutableSortedDictionary<string, CachedObject> snapshot) =>
        snapshot.Values.Select(o => o.Object).OfType<T>();
}
