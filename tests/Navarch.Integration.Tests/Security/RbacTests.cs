using System.Net;
using System.Net.Http.Json;
using k8s;
using k8s.Models;
using Navarch.Client;
using Navarch.Testing;

namespace Navarch.Integration.Tests.Security;

/// <summary>RBAC over TLS with the real kubectl: a user bound to view in one namespace, can-i, whoami, escalation.</summary>
[Trait("Category", "Integration")]
public sealed class RbacTests(SecureServerFixture fixture) : IClassFixture<SecureServerFixture>
{
    [Theory]
    [InlineData(Kubectl.Default)]
    [InlineData(Kubectl.V127)]
    public async Task A_viewer_reads_its_namespace_and_is_refused_the_rest_in_upstreams_words(string binary)
    {
        var (home, other) = await TwoNamespacesAsync("view");
        await BindAsync(home, "viewer", "ClusterRole", "view", "carol");
        await fixture.Admin.CoreV1.CreateNamespacedPodAsync(Pod("web"), home);

        using var kubectl = new Kubectl(fixture.SecureUrl, binary);
        string[] k = ["--kubeconfig", fixture.KubeconfigFor(kubectl, "carol", "team-a")];
        var got = await kubectl.RunAsync([.. k, "-n", home, "get", "pods", "-o", "name"]);
        Assert.True(got.ExitCode == 0, got.ToString());
        Assert.Equal("pod/web", got.Stdout.Trim());

        await Refused(kubectl, [.. k, "-n", home, "delete", "pod", "web"],
            $"pods \"web\" is forbidden: User \"carol\" cannot delete resource \"pods\" in API group \"\" in the namespace \"{home}\"");
        await Refused(kubectl, [.. k, "get", "--raw", $"/api/v1/namespaces/{home}/secrets"],
            $"secrets is forbidden: User \"carol\" cannot list resource \"secrets\" in API group \"\" in the namespace \"{home}\"");
        await Refused(kubectl, [.. k, "-n", other, "get", "pods"],
            $"pods is forbidden: User \"carol\" cannot list resource \"pods\" in API group \"\" in the namespace \"{other}\"");
        await Refused(kubectl, [.. k, "get", "nodes"],
            "nodes is forbidden: User \"carol\" cannot list resource \"nodes\" in API group \"\" at the cluster scope");
    }

    [Fact]
    public async Task Can_i_answers_and_lists_what_a_viewer_may_do()
    {
        var (home, _) = await TwoNamespacesAsync("cani");
        await BindAsync(home, "viewer", "ClusterRole", "view", "dave");
        using var kubectl = new Kubectl(fixture.SecureUrl);
        string[] k = ["--kubeconfig", fixture.KubeconfigFor(kubectl, "dave")];

        var yes = await kubectl.RunAsync([.. k, "-n", home, "auth", "can-i", "get", "pods"]);
        Assert.True((yes.ExitCode, yes.Stdout.Trim()) == (0, "yes"), yes.ToString());
        var no = await kubectl.RunAsync([.. k, "-n", home, "auth", "can-i", "delete", "pods"]);
        Assert.True((no.ExitCode, no.Stdout.Trim()) == (1, "no"), no.ToString());

        var list = await kubectl.RunAsync([.. k, "-n", home, "auth", "can-i", "--list"]);
        Assert.True(list.ExitCode == 0, list.ToString());
        var lines = list.Stdout.Split('\n');
        Assert.StartsWith("Resources", lines[0]);
        Assert.Contains(lines, l => l.StartsWith("pods ", StringComparison.Ordinal) && l.Contains("[get list watch]"));
        Assert.Contains(lines, l => l.StartsWith("selfsubjectaccessreviews.authorization.k8s.io ", StringComparison.Ordinal) && l.Contains("[create]"));
        Assert.Contains(lines, l => l.Contains("[/version]") && l.Contains("[get]"));
        Assert.DoesNotContain(lines, l => l.StartsWith("secrets ", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(Kubectl.Default)]
    [InlineData(Kubectl.V127)]
    public async Task Kubectl_create_role_and_bindings_sends_protobuf_that_the_server_reads(string binary)
    {
        var (home, _) = await TwoNamespacesAsync("pb");
        using var kubectl = new Kubectl(fixture.SecureUrl, binary);
        string[] k = ["--kubeconfig", fixture.Server.AdminKubeconfig];
        foreach (var args in new[]
        {
            new[] { "-n", home, "create", "role", "pod-reader", "--verb=get,list", "--resource=pods", "--resource-name=a" },
            ["-n", home, "create", "rolebinding", "ivy-reads", "--role=pod-reader", "--user=ivy", "--group=readers"],
            ["create", "clusterrolebinding", $"ivy-view-{home}", "--clusterrole=view", "--user=ivy"],
        })
        {
            var r = await kubectl.RunAsync([.. k, .. args]);
            Assert.True(r.ExitCode == 0, $"kubectl {string.Join(' ', args)}: {r}");
        }
        var role = await fixture.Admin.RbacAuthorizationV1.ReadNamespacedRoleAsync("pod-reader", home);
        var rule = role.Rules.Single();
        Assert.Equal("get,list||pods|a", $"{string.Join(',', rule.Verbs)}|{string.Join(',', rule.ApiGroups)}|{string.Join(',', rule.Resources)}|{string.Join(',', rule.ResourceNames)}");
        var binding = await fixture.Admin.RbacAuthorizationV1.ReadNamespacedRoleBindingAsync("ivy-reads", home);
        Assert.Equal(("Role", "pod-reader"), (binding.RoleRef.Kind, binding.RoleRef.Name));
        Assert.Equal(["User:ivy", "Group:readers"], binding.Subjects.Select(s => $"{s.Kind}:{s.Name}"));
        var cluster = await fixture.Admin.RbacAuthorizationV1.ReadClusterRoleBindingAsync($"ivy-view-{home}");
        Assert.Equal("view", cluster.RoleRef.Name);
    }

    [Fact]
    public async Task Whoami_names_the_certificate_user_and_its_groups()
    {
        using var kubectl = new Kubectl(fixture.SecureUrl);
        var r = await kubectl.RunAsync("--kubeconfig", fixture.KubeconfigFor(kubectl, "erin", "team-x", "team-y"), "auth", "whoami", "-o", "json");
        Assert.True(r.ExitCode == 0, r.ToString());
        var review = KubernetesJson.Deserialize<V1SelfSubjectReview>(r.Stdout);
        Assert.Equal("erin", review.Status.UserInfo.Username);
        Assert.Equal(["team-x", "team-y", "system:authenticated"], review.Status.UserInfo.Groups);
    }

    [Fact]
    public async Task Nobody_binds_a_role_they_do_not_hold()
    {
        var (home, _) = await TwoNamespacesAsync("esc");
        await BindAsync(home, "admins", "ClusterRole", "admin", "frank");
        using var frank = ClientConfigurations.ForCertificate(fixture.SecureUrl, fixture.Ca.Certificate, fixture.CertificateFor("frank")).Client();

        // frank administers the namespace: he may hand out view and edit there, which he holds…
        await frank.RbacAuthorizationV1.CreateNamespacedRoleBindingAsync(Binding("frank-view", "ClusterRole", "view", "frank"), home);
        // …but not cluster-admin, nor a Role with more than he has.
        var e = await Assert.ThrowsAsync<k8s.Autorest.HttpOperationException>(() =>
            frank.RbacAuthorizationV1.CreateNamespacedRoleBindingAsync(Binding("frank-root", "ClusterRole", "cluster-admin", "frank"), home));
        Assert.Equal(HttpStatusCode.Forbidden, e.Response.StatusCode);
        Assert.Contains($"rolebindings.rbac.authorization.k8s.io \\\"frank-root\\\" is forbidden: user \\\"frank\\\" (groups=[\\\"system:authenticated\\\"]) is attempting to grant RBAC permissions not currently held", e.Response.Content);
        Assert.Contains("{NonResourceURLs:[\\\"*\\\"], Verbs:[\\\"*\\\"]}", e.Response.Content);

        var nodesRole = new V1Role
        {
            Metadata = new V1ObjectMeta { Name = "node-reader" },
            Rules = [new V1PolicyRule { ApiGroups = [""], Resources = ["nodes"], Verbs = ["get"] }],
        };
        var roleError = await Assert.ThrowsAsync<k8s.Autorest.HttpOperationException>(() => frank.RbacAuthorizationV1.CreateNamespacedRoleAsync(nodesRole, home));
        Assert.Equal(HttpStatusCode.Forbidden, roleError.Response.StatusCode);
        Assert.Contains("{APIGroups:[\\\"\\\"], Resources:[\\\"nodes\\\"], Verbs:[\\\"get\\\"]}", roleError.Response.Content);

        // A viewer may not even create bindings.
        await BindAsync(home, "gina-view", "ClusterRole", "view", "gina");
        using var gina = ClientConfigurations.ForCertificate(fixture.SecureUrl, fixture.Ca.Certificate, fixture.CertificateFor("gina")).Client();
        var viewerError = await Assert.ThrowsAsync<k8s.Autorest.HttpOperationException>(() =>
            gina.RbacAuthorizationV1.CreateNamespacedRoleBindingAsync(Binding("gina-edit", "ClusterRole", "edit", "gina"), home));
        Assert.Equal(HttpStatusCode.Forbidden, viewerError.Response.StatusCode);
    }

    [Fact]
    public async Task Subject_access_and_token_reviews_answer_for_others()
    {
        var (home, _) = await TwoNamespacesAsync("sar");
        await BindAsync(home, "viewer", "ClusterRole", "view", "hank");
        var allowed = await fixture.Admin.AuthorizationV1.CreateSubjectAccessReviewAsync(new V1SubjectAccessReview
        {
            Spec = new V1SubjectAccessReviewSpec { User = "hank", ResourceAttributes = new V1ResourceAttributes { NamespaceProperty = home, Verb = "list", Resource = "pods" } },
        });
        Assert.True(allowed.Status.Allowed);
        var denied = await fixture.Admin.AuthorizationV1.CreateSubjectAccessReviewAsync(new V1SubjectAccessReview
        {
            Spec = new V1SubjectAccessReviewSpec { User = "hank", ResourceAttributes = new V1ResourceAttributes { NamespaceProperty = home, Verb = "delete", Resource = "pods" } },
        });
        Assert.False(denied.Status.Allowed);

        var good = await fixture.Admin.AuthenticationV1.CreateTokenReviewAsync(new V1TokenReview { Spec = new V1TokenReviewSpec { Token = SecureServerFixture.AliceToken } });
        Assert.True(good.Status.Authenticated);
        Assert.Equal(("alice", "uid-alice"), (good.Status.User.Username, good.Status.User.Uid));
        Assert.Equal(["team-a", "team-b", "system:authenticated"], good.Status.User.Groups);
        var bad = await fixture.Admin.AuthenticationV1.CreateTokenReviewAsync(new V1TokenReview { Spec = new V1TokenReviewSpec { Token = "nope" } });
        Assert.False(bad.Status.Authenticated);
    }

    [Fact]
    public async Task The_bootstrap_roles_are_served_and_view_is_aggregated()
    {
        var roles = (await fixture.Admin.RbacAuthorizationV1.ListClusterRoleAsync()).Items.Select(r => r.Metadata.Name).ToHashSet();
        Assert.Subset(roles, new HashSet<string> { "cluster-admin", "admin", "edit", "view", "system:basic-user", "system:discovery",
            "system:public-info-viewer", "system:node-proxier", "system:kube-scheduler", "system:kube-controller-manager" });
        var masters = await fixture.Admin.RbacAuthorizationV1.ReadClusterRoleBindingAsync("cluster-admin");
        Assert.Equal(("Group", "system:masters"), (masters.Subjects.Single().Kind, masters.Subjects.Single().Name));
        var view = await fixture.Admin.RbacAuthorizationV1.ReadClusterRoleAsync("view");
        Assert.Equal("true", view.AggregationRule.ClusterRoleSelectors.Single().MatchLabels["rbac.authorization.k8s.io/aggregate-to-view"]);
    }

    private async Task<(string Home, string Other)> TwoNamespacesAsync(string prefix)
    {
        var suffix = Guid.NewGuid().ToString("N")[..6];
        var (home, other) = ($"{prefix}-home-{suffix}", $"{prefix}-other-{suffix}");
        foreach (var ns in new[] { home, other })
            await fixture.Admin.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = ns } });
        return (home, other);
    }

    private Task BindAsync(string ns, string name, string kind, string role, string user) =>
        fixture.Admin.RbacAuthorizationV1.CreateNamespacedRoleBindingAsync(Binding(name, kind, role, user), ns);

    private static V1RoleBinding Binding(string name, string kind, string role, string user) => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        RoleRef = new V1RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = kind, Name = role },
        Subjects = [new Rbacv1Subject { ApiGroup = "rbac.authorization.k8s.io", Kind = "User", Name = user }],
    };

    private static V1Pod Pod(string name) => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        Spec = new V1PodSpec { Containers = [new V1Container { Name = "c", Image = "nginx" }] },
    };

    private static async Task Refused(Kubectl kubectl, string[] args, string message)
    {
        var r = await kubectl.RunAsync(args);
        Assert.True(r.ExitCode != 0, $"kubectl {string.Join(' ', args)} should have failed: {r}");
        Assert.Contains(message, r.Stderr);
        Assert.True(r.Stderr.Contains("Forbidden") || r.Stderr.Contains("forbidden"), r.ToString());
    }
}
