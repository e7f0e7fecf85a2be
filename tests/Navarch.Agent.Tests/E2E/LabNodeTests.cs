using k8s;
using Navarch.Testing;

namespace Navarch.Agent.Tests.E2E;

/// <summary>The lab harness alone: a server inside a namespace, reached from the test through that namespace.</summary>
[Trait("Category", "E2E")]
[Collection(Navarch.Agent.Tests.E2E.E2ECollection.Name)]
public sealed class LabNodeTests
{
    [Fact]
    public async Task Server_in_a_node_namespace_is_reachable_by_client_and_kubectl_and_leaves_nothing()
    {
        string netns;
        await using (var node = await LabNode.StartAsync("node1", "192.168.0.201", "--cluster-cidr", "10.244.0.0/16"))
        {
            netns = node.Netns.Name;
            var namespaces = await node.Client.CoreV1.ListNamespaceAsync();
            Assert.Contains(namespaces.Items, n => n.Metadata.Name == "default");

            var kubectl = await node.Kubectl.RunAsync("get", "namespaces", "-o", "name");
            Assert.True(kubectl.ExitCode == 0, kubectl.ToString());
            Assert.Contains("namespace/default", kubectl.Stdout);

            var address = await node.ExecAsync("ip", "-4", "-o", "addr", "show", "dev", "eth0");
            Assert.Contains("192.168.0.201/24", address);
            // The server is not reachable from the root namespace: it exists only inside the node.
            Assert.DoesNotContain(System.Net.NetworkInformation.IPGlobalProperties.GetIPGlobalProperties().GetActiveTcpListeners(), l => l.Port == node.ApiPort);
        }
        Assert.False(NetNs.Exists(netns));
    }
}
