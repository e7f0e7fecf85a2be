using System.Diagnostics;
using k8s;
using k8s.Models;
using Navarch.Lab.Host;
using Navarch.Testing;

namespace Navarch.Lab.Tests;

public sealed partial class LabE2ETests
{
    private const string TokenDir = "/var/run/secrets/kubernetes.io/serviceaccount";

    /// <summary>
    /// <c>navarch up</c> wrote the lab's admin kubeconfig (0600, in the data dir, printed as <c>export KUBECONFIG=…</c>)
    /// naming the host's loopback port forwarded to the secure port: kubectl with only KUBECONFIG set (no -s, no HOME
    /// config) gets the nodes over TLS, as the admin.
    /// </summary>
    private static async Task KubeconfigReachesTheNodesOverTlsAsync(string dataDir, int securePort, string upStdout)
    {
        var path = Path.Combine(dataDir, LabKubeconfig.FileName);
        Assert.Contains($"export KUBECONFIG={path}", upStdout);
        if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Contains($"server: https://127.0.0.1:{securePort}", await File.ReadAllTextAsync(path));

        var nodes = await KubectlWithKubeconfigAsync(path, "get", "nodes", "-o", "name");
        Assert.True(nodes.ExitCode == 0, nodes.ToString());
        Assert.Equal(["node/192.168.0.201", "node/192.168.0.202", "node/192.168.0.203"], nodes.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order());
        var whoami = await KubectlWithKubeconfigAsync(path, "auth", "whoami");
        Assert.True(whoami.ExitCode == 0 && whoami.Stdout.Contains("kubernetes-admin") && whoami.Stdout.Contains("system:masters"), whoami.ToString());
    }

    /// <summary>
    /// A pod's mounted ServiceAccount token against <c>https://kubernetes.default.svc</c> (ca.crt of the same mount):
    /// 403 until a RoleBinding grants its account <c>view</c>, then 200; copied out of the pod, the same token is refused
    /// (401) from a node's namespace once the pod is deleted (the token is bound to it).
    /// </summary>
    private static async Task PodTokenIsHeldToRbacAndDiesWithThePodAsync(string server, Kubernetes client, LabState state)
    {
        const string name = "token-client";
        await client.CoreV1.CreateNamespacedPodAsync(new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = name },
            Spec = new V1PodSpec
            {
                Containers = [new V1Container { Name = "client", Image = "dnsutils", ImagePullPolicy = "IfNotPresent", Command = ["sleep", "3600"] }],
                TerminationGracePeriodSeconds = 0,
            },
        }, "default");
        V1Pod? pod = null;
        await Poll.UntilAsync($"the {name} pod Running", async () =>
        {
            pod = await client.CoreV1.ReadNamespacedPodAsync(name, "default");
            return pod.Status?.Phase == "Running";
        }, TimeSpan.FromSeconds(60), () => $"{pod?.Status?.Phase}");

        using var kubectl = new Kubectl(server);
        var listPods = $"curl -sS -o /dev/null -w '%{{http_code}}' --max-time 5 --cacert {TokenDir}/ca.crt "
            + $"-H \"Authorization: Bearer $(cat {TokenDir}/token)\" https://kubernetes.default.svc/api/v1/namespaces/default/pods";
        async Task<string> FromPodAsync()
        {
            var r = await kubectl.RunAsync(["exec", name, "--", "sh", "-c", listPods]);
            return (r.Stdout + r.Stderr).Trim();
        }
        var last = "";
        // The node's proxy may still be writing the kubernetes Service's rules: poll until the API answers at all.
        await Poll.UntilAsync("403 for the pod's token before any binding", async () => (last = await FromPodAsync()) == "403",
            TimeSpan.FromSeconds(30), () => last);

        await client.RbacAuthorizationV1.CreateNamespacedRoleBindingAsync(new V1RoleBinding
        {
            Metadata = new V1ObjectMeta { Name = "default-view" },
            RoleRef = new V1RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = "ClusterRole", Name = "view" },
            Subjects = [new Rbacv1Subject { Kind = "ServiceAccount", Name = "default", NamespaceProperty = "default" }],
        }, "default");
        await Poll.UntilAsync("200 once view is bound", async () => (last = await FromPodAsync()) == "200", TimeSpan.FromSeconds(15), () => last);

        var token = (await kubectl.RunAsync(["exec", name, "--", "cat", $"{TokenDir}/token"])).Stdout.Trim();
        var ca = kubectl.WriteFile("ca.crt", (await kubectl.RunAsync(["exec", name, "--", "cat", $"{TokenDir}/ca.crt"])).Stdout);
        var node = new NetworkNamespace(state.Nodes.First(n => n.Name != pod!.Spec.NodeName).Namespace);
        var master = state.Masters.First().Address;
        Task<string> FromNodeAsync() => node.ExecAsync(CancellationToken.None, "curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "5",
            "--cacert", ca, "-H", $"Authorization: Bearer {token}", $"https://{master}:{LabOptions.ApiSecurePort}/api/v1/namespaces/default/pods");
        Assert.Equal("200", await FromNodeAsync());

        await client.CoreV1.DeleteNamespacedPodAsync(name, "default", gracePeriodSeconds: 0);
        await Poll.UntilAsync($"the {name} pod gone", async () => (await client.CoreV1.ListNamespacedPodAsync("default", fieldSelector: $"metadata.name={name}")).Items.Count == 0,
            TimeSpan.FromSeconds(30));
        var gone = Stopwatch.StartNew();
        await Poll.UntilAsync("401 for the token of the deleted pod", async () => (last = await FromNodeAsync()) == "401", TimeSpan.FromSeconds(75), () => last);
        Assert.True(gone.Elapsed < TimeSpan.FromSeconds(70), $"the token still worked {gone.Elapsed.TotalSeconds:0} s after its pod was gone");
        await client.RbacAuthorizationV1.DeleteNamespacedRoleBindingAsync("default-view", "default");
    }

    /// <summary>The lab's API server refused none of its own loops (controllers, scheduler and cluster DNS run with least
    /// privilege on its secure port): it logs every such 403 as <c>forbidden: User "system:…"</c>.</summary>
    private static void ServerRefusedNoLoop(string dataDir)
    {
        var log = File.ReadAllLines(Path.Combine(dataDir, "logs", "server.log"));
        Assert.DoesNotContain(log, l => l.Contains("forbidden: User \"system:", StringComparison.Ordinal));
    }

    /// <summary>kubectl with KUBECONFIG alone: a HOME of its own (no ~/.kube/config) and no -s.</summary>
    private static async Task<KubectlResult> KubectlWithKubeconfigAsync(string kubeconfig, params string[] args)
    {
        var home = Directory.CreateTempSubdirectory("navarch-kubeconfig-").FullName;
        try
        {
            var psi = new ProcessStartInfo(Kubectl.Default) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            psi.Environment["HOME"] = home;
            psi.Environment["KUBECONFIG"] = kubeconfig;
            foreach (var a in args) psi.ArgumentList.Add(a);
            using var p = Process.Start(psi)!;
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await p.WaitForExitAsync(deadline.Token);
            return new KubectlResult(p.ExitCode, await stdout, await stderr);
        }
        finally
        {
            Directory.Delete(home, recursive: true);
        }
    }
}
