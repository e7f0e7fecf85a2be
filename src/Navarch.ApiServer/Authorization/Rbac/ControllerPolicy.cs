using k8s.Models;
using static Navarch.ApiServer.Authorization.Rbac.BootstrapPolicy;

namespace Navarch.ApiServer.Authorization.Rbac;

/// <summary>
/// The roles of the server's own loops, as upstream's bootstrap policy (controller_policy.go) has them: each controller
/// Navarch runs gets <c>system:controller:NAME</c>, bound to ServiceAccount kube-system/NAME (upstream's
/// <c>--use-service-account-credentials</c>); the scheduler's volume role; and cluster DNS's <c>system:coredns</c>
/// (kubeadm's CoreDNS add-on role). Rules as upstream's, whole (also for groups Navarch does not serve).
/// </summary>
public static class ControllerPolicy
{
    public const string Prefix = "system:controller:";
    public const string ControllerNamespace = "kube-system";

    /// <summary>The ServiceAccount cluster DNS runs as.</summary>
    public const string CoreDnsAccount = "coredns";

    private static readonly string[] Read = ["get", "list", "watch"];
    private static readonly string[] ReadUpdate = ["get", "list", "watch", "update", "patch"];

    // upstream's eventsRule(): every controller records events.
    private static V1PolicyRule Events() => Rule(["create", "update", "patch"], ["", "events.k8s.io"], ["events"]);

    public static IReadOnlyList<V1ClusterRole> ControllerRoles { get; } =
    [
        Controller("cronjob-controller",
            Rule(["get", "list", "watch", "update"], ["batch"], ["cronjobs"]),
            Rule(["get", "list", "watch", "create", "update", "delete", "patch"], ["batch"], ["jobs"]),
            Rule(["update"], ["batch"], ["cronjobs/status"]),
            Rule(["update"], ["batch"], ["cronjobs/finalizers"]),
            Rule(["list", "watch", "delete"], [""], ["pods"])),
        Controller("daemon-set-controller",
            Rule(Read, ["extensions", "apps"], ["daemonsets"]),
            Rule(["update"], ["extensions", "apps"], ["daemonsets/status"]),
            Rule(["update"], ["extensions", "apps"], ["daemonsets/finalizers"]),
            Rule(["list", "watch"], [""], ["nodes"]),
            Rule(["list", "watch", "create", "delete", "patch"], [""], ["pods"]),
            Rule(["create"], [""], ["pods/binding"]),
            Rule(["get", "list", "watch", "create", "delete", "update", "patch"], ["apps"], ["controllerrevisions"])),
        // Upstream writes the revision annotation with update; Navarch with a merge patch (no conflict on a stale cache): + patch.
        Controller("deployment-controller",
            Rule(["get", "list", "watch", "update", "patch"], ["extensions", "apps"], ["deployments"]),
            Rule(["update"], ["extensions", "apps"], ["deployments/status"]),
            Rule(["update"], ["extensions", "apps"], ["deployments/finalizers"]),
            Rule(["get", "list", "watch", "create", "update", "patch", "delete"], ["apps", "extensions"], ["replicasets"]),
            Rule(["get", "list", "watch", "update"], [""], ["pods"])),
        Controller("endpoint-controller",
            Rule(Read, [""], ["services", "pods"]),
            Rule(["get", "list", "watch", "create", "update", "delete"], [""], ["endpoints"]),
            Rule(["create"], [""], ["endpoints/restricted"])),
        Controller("endpointslice-controller",
            Rule(Read, [""], ["services", "pods", "nodes"]),
            Rule(["update"], [""], ["services/finalizers"]),
            Rule(["get", "list", "watch", "create", "update", "delete"], ["discovery.k8s.io"], ["endpointslices"])),
        Controller("generic-garbage-collector",
            Rule(["get", "list", "watch", "patch", "update", "delete"], ["*"], ["*"])),
        Controller("job-controller",
            Rule(["get", "list", "watch", "update", "patch"], ["batch"], ["jobs"]),
            Rule(["update"], ["batch"], ["jobs/status"]),
            Rule(["update"], ["batch"], ["jobs/finalizers"]),
            Rule(["list", "watch", "create", "delete", "patch"], [""], ["pods"])),
        Controller("namespace-controller", withEvents: false,
            Rule(["get", "list", "watch", "delete"], [""], ["namespaces"]),
            Rule(["update"], [""], ["namespaces/finalize", "namespaces/status"]),
            Rule(["get", "list", "watch", "delete", "deletecollection"], ["*"], ["*"])),
        Controller("node-controller",
            Rule(["get", "list", "watch", "update", "delete", "patch"], [""], ["nodes"]),
            Rule(["patch", "update"], [""], ["nodes/status"]),
            Rule(["patch", "update"], [""], ["pods/status"]),
            Rule(["list", "watch", "get", "delete"], [""], ["pods"])),
        Controller("replicaset-controller",
            Rule(["get", "list", "watch", "update"], ["apps", "extensions"], ["replicasets"]),
            Rule(["update"], ["apps", "extensions"], ["replicasets/status"]),
            Rule(["update"], ["apps", "extensions"], ["replicasets/finalizers"]),
            Rule(["list", "watch", "patch", "create", "delete"], [""], ["pods"])),
        Controller("replication-controller",
            Rule(["get", "list", "watch", "update"], [""], ["replicationcontrollers"]),
            Rule(["update"], [""], ["replicationcontrollers/status"]),
            Rule(["update"], [""], ["replicationcontrollers/finalizers"]),
            Rule(["list", "watch", "patch", "create", "delete"], [""], ["pods"])),
        Controller("root-ca-cert-publisher",
            Rule(["create", "update"], [""], ["configmaps"])),
        Controller("service-account-controller",
            Rule(["create"], [""], ["serviceaccounts"])),
        Controller("ttl-after-finished-controller",
            Rule(["get", "list", "watch", "delete"], ["batch"], ["jobs"])),
    ];

    public static IReadOnlyList<V1ClusterRole> ClusterRoles { get; } =
    [
        .. ControllerRoles,
        Role("system:volume-scheduler", null,
            Rule(ReadUpdate, [""], ["persistentvolumes"]),
            Rule(Read, ["storage.k8s.io"], ["storageclasses"]),
            Rule(ReadUpdate, [""], ["persistentvolumeclaims"])),
        Role("system:coredns", null,
            Rule(["list", "watch"], [""], ["endpoints", "services", "pods", "namespaces"]),
            Rule(["list", "watch"], ["discovery.k8s.io"], ["endpointslices"])),
    ];

    public static IReadOnlyList<V1ClusterRoleBinding> ClusterRoleBindings { get; } =
    [
        .. ControllerRoles.Select(r => Binding(r.Metadata.Name, Account(r.Metadata.Name[Prefix.Length..]))),
        Binding("system:volume-scheduler", User("system:kube-scheduler")),
        Binding("system:coredns", Account(CoreDnsAccount)),
    ];

    /// <summary>The user name of ServiceAccount kube-system/<paramref name="name"/>.</summary>
    public static string UserOf(string name) => $"system:serviceaccount:{ControllerNamespace}:{name}";

    private static V1ClusterRole Controller(string name, params V1PolicyRule[] rules) => Controller(name, true, rules);

    private static V1ClusterRole Controller(string name, bool withEvents, params V1PolicyRule[] rules) =>
        Role(Prefix + name, null, withEvents ? [.. rules, Events()] : rules);

    private static Rbacv1Subject Account(string name) => new() { Kind = "ServiceAccount", Name = name, NamespaceProperty = ControllerNamespace };
}
