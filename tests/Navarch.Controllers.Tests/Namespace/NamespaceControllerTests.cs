using Navarch.Client;
using k8s;
using k8s.Models;
using Navarch.Controllers.PodControl;
using Navarch.Controllers.Tests.ReplicationManager;
using Navarch.Testing;

namespace Navarch.Controllers.Tests.Namespace;

[Trait("Category", "Integration")]
[Collection(ControlLoopClusterCollection.Name)]
public sealed class NamespaceControllerTests(ControlLoopCluster cluster)
{
    private IKubernetes Client => cluster.Client;

    [Fact]
    public async Task Deleting_a_namespace_deletes_its_content_then_the_namespace()
    {
        var ns = await cluster.NamespaceAsync("ns-delete");
        var rc = await cluster.CreateSeedRcAsync(ns);
        await Client.CoreV1.CreateNamespacedServiceAsync(KubernetesYaml.Deserialize<V1Service>(Seed.ClusterIpService), ns);
        await cluster.WaitForOwnedPodsAsync("two pods", ns, rc.Metadata.Uid, 2);
        using var kubectl = new Kubectl(cluster.Server.Url);

        var result = await kubectl.RunAsync("delete", "namespace", ns, "--wait=false");
        Assert.True(result.ExitCode == 0, result.ToString());

        string last = "";
        await Poll.UntilAsync("the namespace gone", async () =>
        {
            try
            {
                var current = await Client.CoreV1.ReadNamespaceAsync(ns);
                last = KubernetesJson.Serialize(current.Status);
                return false;
            }
            catch (Exception e) when (ApiErrors.IsNotFound(e))
            {
                return true;
            }
        }, lastSeen: () => last);
        Assert.Empty((await Client.CoreV1.ListNamespacedPodAsync(ns)).Items);
        Assert.Empty((await Client.CoreV1.ListNamespacedServiceAsync(ns)).Items);
        Assert.Empty((await Client.CoreV1.ListNamespacedReplicationControllerAsync(ns)).Items);
    }

    [Fact]
    public async Task The_finalize_subresource_changes_only_spec_finalizers()
    {
        var ns = await cluster.NamespaceAsync("ns-finalize");
        var current = await Client.CoreV1.ReadNamespaceAsync(ns);
        current.Spec.Finalizers = ["example.com/hold"];
        current.Metadata.Labels["extra"] = "ignored";

        var updated = await Client.CoreV1.ReplaceNamespaceFinalizeAsync(current, ns);

        Assert.Equal(["example.com/hold"], updated.Spec.Finalizers);
        Assert.False(updated.Metadata.Labels.ContainsKey("extra"));
    }
}
