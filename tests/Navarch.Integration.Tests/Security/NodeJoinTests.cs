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
            var key = Path.Combine(dataDir, "pki", "kubelet-client-current.pem");
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

        // A wrong secret fails cluster-info's signature (kubeadm's check), before the token is ever sent; a deleted
        // token has no signature any more; without a hash the join needs the unsafe flag.
        var cases = new[]
        {
            ("wrong-token", fixture.SecureUrl, token[..7] + "aaaaaaaaaaaaaaaa", hash, "failed to verify JWS signature of received cluster info object, can't trust this API Server"),
            ("wrong-hash", fixture.SecureUrl, token, "sha256:" + new string('0', 64), "none of the public keys"),
            ("deleted-token", fixture.SecureUrl, "zzzzzz.0123456789abcdef", hash, "token id \"zzzzzz\" is invalid for this cluster or it has expired"),
            ("no-hash", fixture.SecureUrl, token, null, "--ca-cert-hash is required with --token (or --discovery-token-unsafe-skip-ca-verification)"),
        };
        foreach (var (node, server, useToken, useHash, expected) in cases)
            await AssertJoinFailsAsync(node, server, useToken, useHash, expected);
    }

    [Fact]
    public async Task A_tampered_or_unsigned_cluster_info_stops_the_join_with_one_line_and_no_node()
    {
        var (token, hash) = JoinCommand();
        var info = await fixture.Admin.CoreV1.ReadNamespacedConfigMapAsync("cluster-info", "kube-public");
        Assert.Contains("jws-kubeconfig-" + token[..6], info.Data.Keys);

        // Someone between the agent and the server changes the server's address but cannot sign the change.
        var tampered = Copy(info);
        tampered.Data["kubeconfig"] = tampered.Data["kubeconfig"].Replace("server: https://", "server: https://evil.");
        await using (var impostor = new ImpostorServer(KubernetesJson.Serialize(tampered)))
            await AssertJoinFailsAsync("tampered", impostor.Url, token, hash, "failed to verify JWS signature of received cluster info object, can't trust this API Server");

        var unsigned = Copy(info);
        foreach (var signature in unsigned.Data.Keys.Where(k => k.StartsWith("jws-kubeconfig-")).ToList()) unsigned.Data.Remove(signature);
        await using (var impostor = new ImpostorServer(KubernetesJson.Serialize(unsigned)))
            await AssertJoinFailsAsync("unsigned", impostor.Url, token, hash, $"token id \"{token[..6]}\" is invalid for this cluster or it has expired");
    }

    [Fact]
    public async Task Cluster_info_carries_a_signature_for_each_signing_token_while_the_token_lasts()
    {
        static bool Signed(V1ConfigMap map, string id, string secret) =>
            map.Data.TryGetValue("jws-kubeconfig-" + id, out var jws) && Navarch.Api.Bootstrap.ClusterInfoSignature.IsValid(jws, map.Data["kubeconfig"], id, secret);
        var (token, _) = JoinCommand();
        var info = await fixture.Admin.CoreV1.ReadNamespacedConfigMapAsync("cluster-info", "kube-public");
        Assert.True(Signed(info, token[..6], token[7..]), "the join token's signature");
        var jws = info.Data["jws-kubeconfig-" + token[..6]].Split('.');
        Assert.True(jws.Length == 3 && jws[1].Length == 0, "a detached JWS: HEADER..SIGNATURE");
        Assert.Equal($$"""{"alg":"HS256","kid":"{{token[..6]}}"}""", Encoding.UTF8.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(jws[0])));

        await CreateTokenAsync("sign01", signing: true, expires: DateTime.UtcNow.AddHours(1));
        await CreateTokenAsync("nosig1", signing: false, expires: DateTime.UtcNow.AddHours(1));
        await CreateTokenAsync("expire", signing: true, expires: DateTime.UtcNow.AddSeconds(2));
        V1ConfigMap seen = info;
        await Poll.UntilAsync("signatures for the new signing tokens", async () =>
        {
            seen = await fixture.Admin.CoreV1.ReadNamespacedConfigMapAsync("cluster-info", "kube-public");
            return Signed(seen, "sign01", "0123456789abcdef") && Signed(seen, "expire", "0123456789abcdef");
        }, TimeSpan.FromSeconds(10), () => string.Join(", ", seen.Data.Keys));
        Assert.DoesNotContain("jws-kubeconfig-nosig1", seen.Data.Keys);

        await fixture.Admin.CoreV1.DeleteNamespacedSecretAsync("bootstrap-token-sign01", "kube-system");
        await Poll.UntilAsync("the deleted and the expired tokens' signatures removed", async () =>
        {
            seen = await fixture.Admin.CoreV1.ReadNamespacedConfigMapAsync("cluster-info", "kube-public");
            return !seen.Data.ContainsKey("jws-kubeconfig-sign01") && !seen.Data.ContainsKey("jws-kubeconfig-expire");
        }, TimeSpan.FromSeconds(10), () => string.Join(", ", seen.Data.Keys));
        Assert.True(Signed(seen, token[..6], token[7..]), "the join token's signature stays");
        await fixture.Admin.CoreV1.DeleteNamespacedSecretAsync("bootstrap-token-nosig1", "kube-system");
        await fixture.Admin.CoreV1.DeleteNamespacedSecretAsync("bootstrap-token-expire", "kube-system");
    }

    private Task CreateTokenAsync(string id, bool signing, DateTime expires) =>
        fixture.Admin.CoreV1.CreateNamespacedSecretAsync(new V1Secret
        {
            Metadata = new V1ObjectMeta { Name = "bootstrap-token-" + id },
            Type = "bootstrap.kubernetes.io/token",
            Data = new Dictionary<string, byte[]>
            {
                ["token-id"] = Encoding.UTF8.GetBytes(id), ["token-secret"] = "0123456789abcdef"u8.ToArray(),
                ["usage-bootstrap-authentication"] = "true"u8.ToArray(),
                ["usage-bootstrap-signing"] = Encoding.UTF8.GetBytes(signing ? "true" : "false"),
                ["expiration"] = Encoding.UTF8.GetBytes(expires.ToString("yyyy-MM-ddTHH:mm:ssZ")),
            },
        }, "kube-system");

    private static V1ConfigMap Copy(V1ConfigMap map) => KubernetesJson.Deserialize<V1ConfigMap>(KubernetesJson.Serialize(map));

    /// <summary>Runs a join that must fail: non-zero exit, one line naming <paramref name="expected"/>, no Node, no key kept.</summary>
    private async Task AssertJoinFailsAsync(string node, string server, string token, string? hash, string expected)
    {
        var dataDir = Directory.CreateTempSubdirectory("navarch-join-").FullName;
        try
        {
            string[] pin = hash is null ? [] : ["--ca-cert-hash", hash];
            var (exit, _, stderr) = await NavarchCli.RunAsync(["agent", "--server", server, "--token", token, .. pin,
                "--node-name", node, "--node-ip", "127.0.0.1", "--runtime", "fake", "--data-dir", dataDir, "--port", AgentProcess.FreePort().ToString()]);
            Assert.True(exit == 1, $"{node}: exit {exit}\n{stderr}");
            var lines = stderr.Trim().Split('\n');
            Assert.True(lines.Length == 1 && lines[0].StartsWith("navarch agent: ") && lines[0].Contains(expected), $"{node}: {stderr}");
            Assert.False(await NodeExistsAsync(node), $"{node}: a Node appeared");
            Assert.False(File.Exists(Path.Combine(dataDir, "pki", "kubelet-client-current.pem")), $"{node}: a key was kept");
        }
        finally
        {
            Directory.Delete(dataDir, recursive: true);
        }
    }
}
