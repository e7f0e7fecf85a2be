using k8s;
using k8s.Models;
using Navarch.Testing;

namespace Navarch.Lab.Tests;

public sealed partial class LabE2ETests
{
    /// <summary>
    /// Cluster DNS from a pod of the dnsutils image on a node that runs no nginx: its resolv.conf has the search path
    /// and kube-dns's address (the range's 10th, 192.168.3.10), <c>nslookup</c> of the short name answers the
    /// cluster IP, and curl reaches nginx by short name and by full name, through the service proxy of that node.
    /// </summary>
    private static async Task ClusterDnsAnswersInPodsAsync(string server, Kubernetes client, IList<V1Pod> nginxPods)
    {
        var clusterIp = (await client.CoreV1.ReadNamespacedServiceAsync("nginx-service-clusterip", "default")).Spec.ClusterIP;
        var nodes = (await client.CoreV1.ListNodeAsync()).Items.Select(n => n.Metadata.Name);
        var lonely = nodes.First(n => nginxPods.All(p => p.Spec.NodeName != n));
        await client.CoreV1.CreateNamespacedPodAsync(new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "dns-client" },
            Spec = new V1PodSpec
            {
                NodeName = lonely,
                Containers = [new V1Container { Name = "client", Image = "dnsutils", ImagePullPolicy = "IfNotPresent", Command = ["sleep", "3600"] }],
                TerminationGracePeriodSeconds = 0,
            },
        }, "default");
        V1Pod? pod = null;
        await Poll.UntilAsync($"the dns-client pod Running on {lonely}", async () =>
        {
            pod = await client.CoreV1.ReadNamespacedPodAsync("dns-client", "default");
            return pod.Status?.Phase == "Running";
        }, TimeSpan.FromSeconds(60), () => $"{pod?.Status?.Phase} {string.Join(' ', pod?.Status?.ContainerStatuses?.Select(c => c.State?.Waiting?.Message) ?? [])}");

        using var kubectl = new Kubectl(server);
        var resolvConf = await ExecAsync(kubectl, "cat", "/etc/resolv.conf");
        Assert.Contains("search default.svc.cluster.local svc.cluster.local cluster.local", resolvConf);
        Assert.Contains("nameserver 192.168.3.10", resolvConf);
        Assert.Contains("options ndots:5", resolvConf);
        Assert.Contains("dns-client", await ExecAsync(kubectl, "cat", "/etc/hosts"));

        // The node's proxy may still be writing kube-dns's rules: poll.
        var last = "";
        await Poll.UntilAsync("nslookup nginx-service-clusterip from the pod", async () =>
        {
            last = await ExecAsync(kubectl, "nslookup", "nginx-service-clusterip");
            return last.Contains($"Address: {clusterIp}", StringComparison.Ordinal);
        }, TimeSpan.FromSeconds(30), () => last);
        Assert.Contains("Name:\tnginx-service-clusterip.default.svc.cluster.local", last);

        foreach (var host in new[] { "nginx-service-clusterip", "nginx-service-clusterip.default.svc.cluster.local" })
        {
            await Poll.UntilAsync($"curl http://{host}:8001 from the pod", async () =>
            {
                last = await ExecAsync(kubectl, "curl", "-sS", "--max-time", "5", $"http://{host}:8001/");
                return last.Contains("Welcome to nginx!", StringComparison.Ordinal);
            }, TimeSpan.FromSeconds(30), () => last);
        }
        await client.CoreV1.DeleteNamespacedPodAsync("dns-client", "default", gracePeriodSeconds: 0);
    }

    private static async Task<string> ExecAsync(Kubectl kubectl, params string[] command)
    {
        var result = await kubectl.RunAsync(["exec", "dns-client", "--", .. command]);
        return result.Stdout + result.Stderr;
    }
}
