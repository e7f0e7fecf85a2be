using System.Text;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Navarch.Testing;

namespace Navarch.Integration.Tests.Security;

/// <summary>
/// <c>navarch agent --token --ca-cert-hash</c> against a real secure server: the join command the server wrote, a
/// node that appears and restarts from its kept certificate, its serving CSR approved with kubectl 1.27, and the
/// refusals (wrong token, wrong hash, deleted token) as one line, a non-zero exit and no Node.
/// </summary>
[Trait("Category", "Integration")]
public sealed class NodeJoinTests(SecureServerFixture fixture) : IClassFixture<SecureServerFixture>
{
    private (string Token, string Hash) JoinCommand()
    {
        var words = File.ReadAllText(Path.Combine(fixture.Server.DataDir, "join-command")).Split(' ', StringSplitOptions.TrimEntries);
        Assert.Equal(["navarch", "agent", "--server"], words[..3]);
        return (words[Array.IndexOf(words, "--token") + 1], words[Array.IndexOf(words, "--ca-cert-hash") + 1]);
    }

    /// <summary>
    /// What a node needs in the API to register and run (upstream's Node authorizer grants it; until Navarch has one,
    /// this test binds it, as a cluster using RBAC alone for nodes would).
    /// </summary>
    private async Task GrantNodesAsync()
    {
        const string name = "test:nodes-without-node-authorizer";
        try
        {
            await fixture.Admin.RbacAuthorizationV1.CreateClusterRoleAsync(new V1ClusterRole
            {
                Metadata = new V1ObjectMeta { Name = name },
                Rules =
                [
                    new V1PolicyRule { Verbs = ["*"], ApiGroups = [""], Resources = ["nodes", "nodes/status", "pods", "pods/status", "events", "services", "configmaps", "secrets"] },
                    new V1PolicyRule { Verbs = ["*"], ApiGroups = ["coordination.k8s.io"], Resources = ["leases"] },
                    new V1PolicyRule { Verbs = ["*"], ApiGroups = ["discovery.k8s.io"], Resources = ["endpointslices"] },
                    new V1PolicyRule { Verbs = ["create", "get", "list", "watch"], ApiGroups = ["certificates.k8s.io"], Resources = ["certificatesigningrequests"] },
                    new V1PolicyRule { Verbs = ["create"], ApiGroups = ["authentication.k8s.io"], Resources = ["tokenreviews"] },
                    new V1PolicyRule { Verbs = ["create"], ApiGroups = ["authorization.k8s.io"], Resources = ["subjectaccessreviews"] },
                ],
            });
            await fixture.Admin.RbacAuthorizationV1.CreateClusterRoleBindingAsync(new V1ClusterRoleBinding
            {
                Metadata = new V1ObjectMeta { Name = name },
                RoleRef = new V1RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = "ClusterRole", Name = name },
                Subjects = [new Rbacv1Subject { ApiGroup = "rbac.authorization.k8s.io", Kind = "Group", Name = "system:nodes" }],
            });
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.Conflict)
        {
        }
    }

    private async Task<bool> NodeExistsAsync(string name)
    {
        try { await fixture.Admin.CoreV1.ReadNodeAsync(name); return true; }
        catch (HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound) { return false; }
    }

    [Fact]
    public async Task The_right_token_and_hash_join_a_node_that_restarts_from_its_certificate()
    {
        await GrantNodesAsync();
        var (token, hash) = JoinCommand();
        var dataDir = Directory.CreateTempSubdirectory("navarch-join-").FullName;
        var agent = AgentProcess.StartIn("joined-1", dataDir, "--server", fixture.SecureUrl, "--token", token, "--ca-cert-hash", hash);
        try
        {
            await Poll.UntilAsync("the joined node appears", async () =>
            {
                if (agent.HasExited) throw new InvalidOperationException($"the agent exited:\n{agent.Output}");
                return await NodeExistsAsync("joined-1");
            }, TimeSpan.FromSeconds(60), () => agent.Output);
            var key = Path.Combine(dataDir, "pki", "kubelet-client.key");
            if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(key));
            var csrs = await fixture.Admin.CertificatesV1.ListCertificateSigningRequestAsync();
            var client = Assert.Single(csrs.Items, c => c.Spec.SignerName == "kubernetes.io/kube-apiserver-client-kubelet" && c.Spec.Username.StartsWith("system:bootstrap:"));
            Assert.Contains(client.Status.Conditions, c => c.Type == "Approved" && c.Reason == "AutoApproved");

            // Its serving certificate names 127.0.0.1, which a node may not have approved by itself: a person approves it.
            using var kubectl = new Kubectl(fixture.SecureUrl, Kubectl.V127);
            string[] admin = ["--kubeconfig", fixture.Server.AdminKubeconfig];
            string pending = "";
            await Poll.UntilAsync("the joined node's serving CSR is pending", async () =>
            {
                var list = await kubectl.RunAsync([.. admin, "get", "csr", "--no-headers"]);
                pending = list.Stdout.Split('\n').FirstOrDefault(l => l.Contains("kubernetes.io/kubelet-serving") && l.Contains("system:node:joined-1") && l.Contains("Pending")) ?? "";
                return pending.Length > 0;
            }, TimeSpan.FromSeconds(30), () => agent.Output);
            var csrName = pending.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
            var headers = await kubectl.RunAsync([.. admin, "get", "csr", csrName]);
            Assert.Matches(@"^NAME\s+AGE\s+SIGNERNAME\s+REQUESTOR\s+REQUESTEDDURATION\s+CONDITION", headers.Stdout);
            var approve = await kubectl.RunAsync([.. admin, "certificate", "approve", csrName]);
            Assert.True(approve.ExitCode == 0, approve.ToString());
            Assert.Contains("approved", approve.Stdout);
            var after = await kubectl.RunAsync([.. admin, "get", "csr", csrName, "--no-headers"]);
            Assert.Contains("Approved,Issued", after.Stdout);

            // A restart without the token runs from the kept certificate: the node's lease is renewed again.
            await agent.StopAsync();
            var restartedAt = DateTime.UtcNow;
            agent = AgentProcess.StartIn("joined-1", dataDir, "--server", fixture.SecureUrl);
            await Poll.UntilAsync("the restarted agent renews its lease", async () =>
            {
                if (agent.HasExited) throw new InvalidOperationException($"the restarted agent exited:\n{agent.Output}");
                var lease = await fixture.Admin.CoordinationV1.ReadNamespacedLeaseAsync("joined-1", "kube-node-lease");
                return lease.Spec.RenewTime > restartedAt;
            }, TimeSpan.FromSeconds(60), () => agent.Output);
        }
        finally
        {
            await agent.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_wrong_token_a_wrong_hash_or_a_deleted_token_stop_with_one_line_and_no_node()
    {
        var (token, hash) = JoinCommand();
        // A token that existed and was revoked: its Secret deleted.
        await fixture.Admin.CoreV1.CreateNamespacedSecretAsync(new V1Secret
        {
            Metadata = new V1ObjectMeta { Name = "bootstrap-token-zzzzzz" },
            Type = "bootstrap.kubernetes.io/token",
            Data = new Dictionary<string, byte[]>
            {
                ["token-id"] = "zzzzzz"u8.ToArray(), ["token-secret"] = "0123456789abcdef"u8.ToArray(),
                ["usage-bootstrap-authentication"] = "true"u8.ToArray(),
                ["auth-extra-groups"] = "system:bootstrappers:kubeadm:default-node-token"u8.ToArray(),
            },
        }, "kube-system");
        await fixture.Admin.CoreV1.DeleteNamespacedSecretAsync("bootstrap-token-zzzzzz", "kube-system");

        var cases = new[]
        {
            ("wrong-token", token[..7] + "aaaaaaaaaaaaaaaa", hash, "refused the bootstrap token (401 Unauthorized)"),
            ("wrong-hash", token, "sha256:" + new string('0', 64), "none of the public keys"),
            ("deleted-token", "zzzzzz.0123456789abcdef", hash, "refused the bootstrap token (401 Unauthorized)"),
        };
        foreach (var (node, useToken, useHash, expected) in cases)
        {
            var dataDir = Directory.CreateTempSubdirectory("navarch-join-").FullName;
            try
            {
                var (exit, _, stderr) = await NavarchCli.RunAsync("agent", "--server", fixture.SecureUrl, "--token", useToken, "--ca-cert-hash", useHash,
                    "--node-name", node, "--node-ip", "127.0.0.1", "--runtime", "fake", "--data-dir", dataDir, "--port", AgentProcess.FreePort().ToString());
                Assert.True(exit != 0, $"{node}: exit {exit}\n{stderr}");
                var lines = stderr.Trim().Split('\n');
                Assert.True(lines.Length == 1 && lines[0].StartsWith("navarch agent: ") && lines[0].Contains(expected), $"{node}: {stderr}");
                Assert.False(await NodeExistsAsync(node), $"{node}: a Node appeared");
                Assert.False(File.Exists(Path.Combine(dataDir, "pki", "kubelet-client.key")), $"{node}: a key was kept");
            }
            finally
            {
                Directory.Delete(dataDir, recursive: true);
            }
        }
    }
}
