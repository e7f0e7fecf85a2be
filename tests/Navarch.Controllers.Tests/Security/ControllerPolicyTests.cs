using k8s.Models;
using Navarch.ApiServer.Authorization.Rbac;

namespace Navarch.Controllers.Tests.Security;

/// <summary>
/// The roles of the server's own loops against upstream's bootstrap policy
/// (plugin/pkg/auth/authorizer/rbac/bootstrappolicy/controller_policy.go and policy.go, v1.33; kubeadm's CoreDNS role),
/// written out here rule by rule as "verbs | groups | resources", so that a change to either side shows.
/// </summary>
[Trait("Category", "Unit")]
public sealed class ControllerPolicyTests
{
    private const string Events = "create,update,patch | ,events.k8s.io | events";

    public static readonly Dictionary<string, string[]> Upstream = new()
    {
        ["system:controller:cronjob-controller"] =
        [
            "get,list,watch,update | batch | cronjobs", "get,list,watch,create,update,delete,patch | batch | jobs",
            "update | batch | cronjobs/status", "update | batch | cronjobs/finalizers", "list,watch,delete | | pods", Events,
        ],
        ["system:controller:daemon-set-controller"] =
        [
            "get,list,watch | extensions,apps | daemonsets", "update | extensions,apps | daemonsets/status",
            "update | extensions,apps | daemonsets/finalizers", "list,watch | | nodes", "list,watch,create,delete,patch | | pods",
            "create | | pods/binding", "get,list,watch,create,delete,update,patch | apps | controllerrevisions", Events,
        ],
        // Upstream's has update without patch on deployments; Navarch patches the revision annotation (see ControllerPolicy).
        ["system:controller:deployment-controller"] =
        [
            "get,list,watch,update,patch | extensions,apps | deployments", "update | extensions,apps | deployments/status",
            "update | extensions,apps | deployments/finalizers", "get,list,watch,create,update,patch,delete | apps,extensions | replicasets",
            "get,list,watch,update | | pods", Events,
        ],
        ["system:controller:endpoint-controller"] =
        [
            "get,list,watch | | services,pods", "get,list,watch,create,update,delete | | endpoints", "create | | endpoints/restricted", Events,
        ],
        ["system:controller:endpointslice-controller"] =
        [
            "get,list,watch | | services,pods,nodes", "update | | services/finalizers",
            "get,list,watch,create,update,delete | discovery.k8s.io | endpointslices", Events,
        ],
        ["system:controller:generic-garbage-collector"] = ["get,list,watch,patch,update,delete | * | *", Events],
        ["system:controller:job-controller"] =
        [
            "get,list,watch,update,patch | batch | jobs", "update | batch | jobs/status", "update | batch | jobs/finalizers",
            "list,watch,create,delete,patch | | pods", Events,
        ],
        ["system:controller:namespace-controller"] =
        [
            "get,list,watch,delete | | namespaces", "update | | namespaces/finalize,namespaces/status",
            "get,list,watch,delete,deletecollection | * | *",
        ],
        ["system:controller:node-controller"] =
        [
            "get,list,watch,update,delete,patch | | nodes", "patch,update | | nodes/status", "patch,update | | pods/status",
            "list,watch,get,delete | | pods", Events,
        ],
        ["system:controller:replicaset-controller"] =
        [
            "get,list,watch,update | apps,extensions | replicasets", "update | apps,extensions | replicasets/status",
            "update | apps,extensions | replicasets/finalizers", "list,watch,patch,create,delete | | pods", Events,
        ],
        ["system:controller:replication-controller"] =
        [
            "get,list,watch,update | | replicationcontrollers", "update | | replicationcontrollers/status",
            "update | | replicationcontrollers/finalizers", "list,watch,patch,create,delete | | pods", Events,
        ],
        ["system:controller:root-ca-cert-publisher"] = ["create,update | | configmaps", Events],
        ["system:controller:service-account-controller"] = ["create | | serviceaccounts", Events],
        ["system:controller:ttl-after-finished-controller"] = ["get,list,watch,delete | batch | jobs", Events],
        ["system:volume-scheduler"] =
        [
            "get,list,watch,update,patch | | persistentvolumes", "get,list,watch | storage.k8s.io | storageclasses",
            "get,list,watch,update,patch | | persistentvolumeclaims",
        ],
        ["system:coredns"] = ["list,watch | | endpoints,services,pods,namespaces", "list,watch | discovery.k8s.io | endpointslices"],
    };

    public static TheoryData<string> Roles() => [.. Upstream.Keys];

    private static string Text(V1PolicyRule r) =>
        $"{string.Join(',', r.Verbs)} | {string.Join(',', r.ApiGroups ?? [])} | {string.Join(',', r.Resources ?? [])}".Replace("|  |", "| |");

    [Theory]
    [MemberData(nameof(Roles))]
    public void Each_role_of_the_loops_has_upstreams_rules(string role)
    {
        var have = BootstrapPolicy.ClusterRoles.SingleOrDefault(r => r.Metadata.Name == role);
        Assert.NotNull(have);
        Assert.Equal(Upstream[role], have.Rules.Select(Text));
        Assert.Equal("rbac-defaults", have.Metadata.Labels["kubernetes.io/bootstrapping"]);
    }

    [Fact]
    public void Every_account_a_controller_runs_as_has_its_role_bound_to_that_service_account()
    {
        var accounts = ControllerManager.Accounts.ToList();
        Assert.Contains("job-controller", accounts);
        Assert.Contains(Navarch.Controllers.Job.JobController.TtlAccount, accounts);
        foreach (var account in accounts)
        {
            var role = ControllerPolicy.Prefix + account;
            Assert.Contains(BootstrapPolicy.ClusterRoles, r => r.Metadata.Name == role);
            var binding = Assert.Single(BootstrapPolicy.ClusterRoleBindings, b => b.RoleRef.Name == role);
            var subject = Assert.Single(binding.Subjects);
            Assert.Equal(("ServiceAccount", "kube-system", account), (subject.Kind, subject.NamespaceProperty, subject.Name));
        }
    }

    [Fact]
    public void The_controller_manager_and_scheduler_users_are_bound_to_upstreams_roles_and_to_no_privileged_group()
    {
        Assert.Contains(BootstrapPolicy.ClusterRoleBindings, b => b.RoleRef.Name == "system:kube-controller-manager"
            && b.Subjects.Single() is { Kind: "User", Name: "system:kube-controller-manager" });
        Assert.Contains(BootstrapPolicy.ClusterRoleBindings, b => b.RoleRef.Name == "system:kube-scheduler"
            && b.Subjects.Single() is { Kind: "User", Name: "system:kube-scheduler" });
        Assert.Contains(BootstrapPolicy.ClusterRoleBindings, b => b.RoleRef.Name == "system:volume-scheduler"
            && b.Subjects.Single() is { Kind: "User", Name: "system:kube-scheduler" });
        Assert.Contains(BootstrapPolicy.ClusterRoleBindings, b => b.RoleRef.Name == "system:coredns"
            && b.Subjects.Single() is { Kind: "ServiceAccount", Name: "coredns", NamespaceProperty: "kube-system" });
    }
}
