using k8s.Models;
using Navarch.ApiServer.Authentication;
using Navarch.ApiServer.Authorization;
using Navarch.ApiServer.Authorization.Rbac;

namespace Navarch.Integration.Tests.Security;

/// <summary>The RBAC authorizer over the bootstrap policy and a few bindings: upstream's wildcards, aggregation, coverage.</summary>
[Trait("Category", "Unit")]
public sealed class RbacIndexTests
{
    private static readonly UserInfo Alice = new("alice", ["team-a", UserInfo.AllAuthenticated]);
    private static readonly UserInfo Anonymous = UserInfo.AnonymousUser;

    private static RbacIndex WithBinding(string ns, string role, string user) => new(
        BootstrapPolicy.ClusterRoles, [], BootstrapPolicy.ClusterRoleBindings,
        [new V1RoleBinding
        {
            Metadata = new V1ObjectMeta { Name = "b", NamespaceProperty = ns },
            RoleRef = new V1RoleRef { Kind = "ClusterRole", Name = role, ApiGroup = "rbac.authorization.k8s.io" },
            Subjects = [new Rbacv1Subject { Kind = "User", Name = user }],
        }]);

    private static bool Allowed(RbacIndex index, UserInfo user, string verb, string resource, string ns, string sub = "", string group = "") =>
        new RbacAuthorizer(new Fixed(index)).Authorize(new RequestAttributes(user, verb, true, "", group, "v1", resource, sub, ns), out _) == Decision.Allow;

    [Theory]
    [InlineData("get", "pods", "", true)]
    [InlineData("watch", "pods", "log", true)]
    [InlineData("delete", "pods", "", false)]
    [InlineData("get", "secrets", "", false)]
    [InlineData("create", "pods", "exec", false)]
    public void View_in_one_namespace_comes_from_the_aggregated_roles(string verb, string resource, string sub, bool allowed)
    {
        var index = WithBinding("a", "view", "alice");
        Assert.Equal(allowed, Allowed(index, Alice, verb, resource, "a", sub));
        Assert.False(Allowed(index, Alice, "get", "pods", "b"));
    }

    [Fact]
    public void Admin_holds_edit_and_view_through_nested_aggregation()
    {
        var index = WithBinding("a", "admin", "alice");
        Assert.True(Allowed(index, Alice, "create", "rolebindings", "a", group: "rbac.authorization.k8s.io"));
        Assert.True(Allowed(index, Alice, "delete", "pods", "a"));
        Assert.True(Allowed(index, Alice, "get", "pods", "a", "log"));
        Assert.False(Allowed(index, Alice, "list", "nodes", ""));
    }

    [Theory]
    [InlineData("/healthz", true)]
    [InlineData("/version", true)]
    [InlineData("/api", false)]
    [InlineData("/metrics", false)]
    public void Anonymous_sees_public_info_only(string path, bool allowed)
    {
        var authorizer = new RbacAuthorizer(new Fixed(BootstrapPolicy.Index));
        Assert.Equal(allowed, authorizer.Authorize(new RequestAttributes(Anonymous, "get", false, path), out _) == Decision.Allow);
    }

    [Fact]
    public void Coverage_wants_wildcards_held_as_wildcards()
    {
        V1PolicyRule[] owner = [new() { ApiGroups = [""], Resources = ["pods"], Verbs = ["get", "list", "watch", "create", "update", "patch", "delete", "deletecollection"] }];
        Assert.Empty(RuleCoverage.Missing(owner, [new V1PolicyRule { ApiGroups = [""], Resources = ["pods"], Verbs = ["get", "delete"] }]));
        Assert.Equal(["{APIGroups:[\"\"], Resources:[\"pods\"], Verbs:[\"*\"]}"],
            RuleCoverage.Missing(owner, [new V1PolicyRule { ApiGroups = [""], Resources = ["pods"], Verbs = ["*"] }]));
        Assert.Equal(["{APIGroups:[\"\"], Resources:[\"pods/log\"], Verbs:[\"get\"]}"],
            RuleCoverage.Missing(owner, [new V1PolicyRule { ApiGroups = [""], Resources = ["pods/log"], Verbs = ["get"] }]));
        V1PolicyRule[] named = [new() { ApiGroups = [""], Resources = ["configmaps"], ResourceNames = ["one"], Verbs = ["get"] }];
        Assert.Empty(RuleCoverage.Missing(named, [new V1PolicyRule { ApiGroups = [""], Resources = ["configmaps"], ResourceNames = ["one"], Verbs = ["get"] }]));
        Assert.Single(RuleCoverage.Missing(named, [new V1PolicyRule { ApiGroups = [""], Resources = ["configmaps"], Verbs = ["get"] }]));
    }

    private sealed class Fixed(RbacIndex index) : IRbacSource
    {
        public RbacIndex Current => index;
    }
}
