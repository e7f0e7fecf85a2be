using k8s.Models;

namespace Navarch.ApiServer.Authorization.Rbac;

/// <summary>
/// Upstream's bootstrap roles and bindings (plugin/pkg/auth/authorizer/rbac/bootstrappolicy), trimmed to the
/// resources Navarch serves plus those a person is likely to name. Made at every start when absent, as upstream's
/// reconciler does for objects annotated <c>rbac.authorization.kubernetes.io/autoupdate: "true"</c>.
/// </summary>
public static class BootstrapPolicy
{
    private const string AggregateToAdmin = "rbac.authorization.k8s.io/aggregate-to-admin";
    private const string AggregateToEdit = "rbac.authorization.k8s.io/aggregate-to-edit";
    private const string AggregateToView = "rbac.authorization.k8s.io/aggregate-to-view";

    private static readonly string[] Read = ["get", "list", "watch"];
    private static readonly string[] Write = ["create", "delete", "deletecollection", "patch", "update"];

    public static IReadOnlyList<V1ClusterRole> ClusterRoles { get; } =
    [
        Role("cluster-admin", null, Rule(["*"], ["*"], ["*"]), Urls(["*"], ["*"])),
        Role("system:discovery", null, Urls(["get"],
            ["/api", "/api/*", "/apis", "/apis/*", "/healthz", "/livez", "/openapi", "/openapi/*", "/readyz", "/version", "/version/"])),
        Role("system:public-info-viewer", null, Urls(["get"], ["/healthz", "/livez", "/readyz", "/version", "/version/"])),
        Role("system:service-account-issuer-discovery", null, Urls(["get"],
            ["/.well-known/openid-configuration", "/.well-known/openid-configuration/", "/openid/v1/jwks", "/openid/v1/jwks/"])),
        Role("system:basic-user", null,
            Rule(["create"], ["authorization.k8s.io"], ["selfsubjectaccessreviews", "selfsubjectrulesreviews"]),
            Rule(["create"], ["authentication.k8s.io"], ["selfsubjectreviews"])),
        Aggregated("admin", AggregateToAdmin),
        Aggregated("edit", AggregateToEdit),
        Aggregated("view", AggregateToView),
        Role("system:aggregate-to-admin", AggregateToAdmin,
            Rule(Read.Concat(Write).ToArray(), ["rbac.authorization.k8s.io"], ["rolebindings", "roles"]),
            Rule(["create"], ["authorization.k8s.io"], ["localsubjectaccessreviews"])),
        Role("system:aggregate-to-edit", AggregateToEdit,
            Rule(Read.Concat(Write).ToArray(), [""], ["pods", "pods/attach", "pods/exec", "pods/portforward", "pods/proxy",
                "replicationcontrollers", "replicationcontrollers/scale", "services", "services/proxy", "endpoints",
                "persistentvolumeclaims", "configmaps", "secrets", "serviceaccounts"]),
            Rule(["create"], [""], ["serviceaccounts/token"]),
            Rule(["impersonate"], [""], ["serviceaccounts"]),
            Rule(Read.Concat(Write).ToArray(), ["apps"], ["daemonsets", "deployments", "deployments/rollback", "deployments/scale", "replicasets", "replicasets/scale", "statefulsets", "statefulsets/scale"]),
            Rule(Read.Concat(Write).ToArray(), ["batch"], ["cronjobs", "jobs"]),
            Rule(Read.Concat(Write).ToArray(), ["discovery.k8s.io"], ["endpointslices"])),
        Role("system:aggregate-to-view", AggregateToView,
            Rule(Read, [""], ["pods", "pods/log", "pods/status", "replicationcontrollers", "replicationcontrollers/scale",
                "replicationcontrollers/status", "services", "services/status", "endpoints", "persistentvolumeclaims",
                "persistentvolumeclaims/status", "configmaps", "serviceaccounts", "bindings", "events", "limitranges",
                "resourcequotas", "resourcequotas/status", "namespaces", "namespaces/status"]),
            Rule(Read, ["apps"], ["controllerrevisions", "daemonsets", "daemonsets/status", "deployments", "deployments/scale",
                "deployments/status", "replicasets", "replicasets/scale", "replicasets/status", "statefulsets", "statefulsets/scale", "statefulsets/status"]),
            Rule(Read, ["batch"], ["cronjobs", "cronjobs/status", "jobs", "jobs/status"]),
            Rule(Read, ["discovery.k8s.io"], ["endpointslices"])),
        Role("system:node-proxier", null,
            Rule(["list", "watch"], [""], ["endpoints", "services"]),
            Rule(Read, [""], ["nodes"]),
            Rule(["create", "patch", "update"], ["", "events.k8s.io"], ["events"]),
            Rule(["list", "watch"], ["discovery.k8s.io"], ["endpointslices"])),
        Role("system:kube-scheduler", null,
            Rule(["create", "patch", "update"], ["", "events.k8s.io"], ["events"]),
            Rule(["create"], ["coordination.k8s.io"], ["leases"]),
            Named(["get", "update"], ["coordination.k8s.io"], ["leases"], ["kube-scheduler"]),
            Rule(["create"], [""], ["endpoints"]),
            Named(["get", "update"], [""], ["endpoints"], ["kube-scheduler"]),
            Rule(Read, [""], ["nodes", "namespaces", "replicationcontrollers", "services", "persistentvolumeclaims", "persistentvolumes"]),
            Rule(["delete", "get", "list", "watch"], [""], ["pods"]),
            Rule(["create"], [""], ["bindings", "pods/binding"]),
            Rule(["patch", "update"], [""], ["pods/status"]),
            Rule(Read, ["apps"], ["replicasets", "statefulsets"]),
            Rule(["create"], ["authentication.k8s.io"], ["tokenreviews"]),
            Rule(["create"], ["authorization.k8s.io"], ["subjectaccessreviews"])),
        Role("system:kube-controller-manager", null,
            Rule(["create", "patch", "update"], ["", "events.k8s.io"], ["events"]),
            Rule(["create"], ["coordination.k8s.io"], ["leases"]),
            Named(["get", "update"], ["coordination.k8s.io"], ["leases"], ["kube-controller-manager"]),
            Rule(["create"], [""], ["endpoints", "secrets", "serviceaccounts"]),
            Named(["get", "update"], [""], ["endpoints"], ["kube-controller-manager"]),
            Rule(["delete"], [""], ["secrets"]),
            Rule(["get"], [""], ["configmaps", "namespaces", "secrets", "serviceaccounts"]),
            Rule(["update"], [""], ["secrets", "serviceaccounts"]),
            Rule(["create"], ["authentication.k8s.io"], ["tokenreviews"]),
            Rule(["create"], ["authorization.k8s.io"], ["subjectaccessreviews"]),
            Rule(["list", "watch"], ["*"], ["*"]),
            Rule(["create"], [""], ["serviceaccounts/token"])),
        .. NodeAccessPolicy.ClusterRoles,
        .. ControllerPolicy.ClusterRoles,
    ];

    public static IReadOnlyList<V1ClusterRoleBinding> ClusterRoleBindings { get; } =
    [
        Binding("cluster-admin", Group("system:masters")),
        Binding("system:discovery", Group("system:authenticated")),
        Binding("system:basic-user", Group("system:authenticated")),
        Binding("system:public-info-viewer", Group("system:authenticated"), Group("system:unauthenticated")),
        Binding("system:service-account-issuer-discovery", Group("system:serviceaccounts")),
        Binding("system:node-proxier", User("system:kube-proxy")),
        Binding("system:kube-scheduler", User("system:kube-scheduler")),
        Binding("system:kube-controller-manager", User("system:kube-controller-manager")),
        .. NodeAccessPolicy.ClusterRoleBindings,
        .. ControllerPolicy.ClusterRoleBindings,
    ];

    /// <summary>The index of the bootstrap policy alone (before the store holds any role).</summary>
    public static RbacIndex Index { get; } = new(ClusterRoles, [], ClusterRoleBindings, []);

    internal static V1ObjectMeta Meta(string name, string? aggregateLabel)
    {
        var labels = new Dictionary<string, string> { ["kubernetes.io/bootstrapping"] = "rbac-defaults" };
        if (aggregateLabel is not null) labels[aggregateLabel] = "true";
        // edit is part of admin and view of edit, as upstream labels them.
        if (aggregateLabel == AggregateToEdit) labels[AggregateToAdmin] = "true";
        if (aggregateLabel == AggregateToView) labels[AggregateToEdit] = "true";
        return new V1ObjectMeta
        {
            Name = name,
            Labels = labels,
            Annotations = new Dictionary<string, string> { ["rbac.authorization.kubernetes.io/autoupdate"] = "true" },
        };
    }

    internal static V1ClusterRole Role(string name, string? aggregateLabel, params V1PolicyRule[] rules) => new()
    {
        ApiVersion = "rbac.authorization.k8s.io/v1", Kind = "ClusterRole", Metadata = Meta(name, aggregateLabel), Rules = rules,
    };

    private static V1ClusterRole Aggregated(string name, string selectorLabel)
    {
        var role = Role(name, null);
        if (name != "admin") role.Metadata.Labels[name == "edit" ? AggregateToAdmin : AggregateToEdit] = "true";
        role.AggregationRule = new V1AggregationRule
        {
            ClusterRoleSelectors = [new V1LabelSelector { MatchLabels = new Dictionary<string, string> { [selectorLabel] = "true" } }],
        };
        role.Rules = [];
        return role;
    }

    internal static V1PolicyRule Rule(string[] verbs, string[] groups, string[] resources) =>
        new() { Verbs = verbs, ApiGroups = groups, Resources = resources };

    private static V1PolicyRule Named(string[] verbs, string[] groups, string[] resources, string[] names) =>
        new() { Verbs = verbs, ApiGroups = groups, Resources = resources, ResourceNames = names };

    private static V1PolicyRule Urls(string[] verbs, string[] urls) => new() { Verbs = verbs, NonResourceURLs = urls };

    internal static V1ClusterRoleBinding Binding(string role, params Rbacv1Subject[] subjects) => new()
    {
        ApiVersion = "rbac.authorization.k8s.io/v1",
        Kind = "ClusterRoleBinding",
        Metadata = Meta(role, null),
        RoleRef = new V1RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = "ClusterRole", Name = role },
        Subjects = subjects,
    };

    internal static Rbacv1Subject Group(string name) => new() { ApiGroup = "rbac.authorization.k8s.io", Kind = "Group", Name = name };

    internal static Rbacv1Subject User(string name) => new() { ApiGroup = "rbac.authorization.k8s.io", Kind = "User", Name = name };
}
