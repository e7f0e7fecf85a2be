using k8s;
using k8s.Models;
using Navarch.Testing;

namespace Navarch.Controllers.Tests.NodeIpam;

[Trait("Category", "Integration")]
public sealed class NodeIpamIntegrationTests
{
    private static async Task<string?> PodCidrAsync(IKubernetes client, string node) =>
        (await client.CoreV1.ReadNodeAsync(node)).Spec?.PodCIDR;

    [Fact]
    public async Task Nodes_get_distinct_subnets_keep_their_own_and_a_deleted_node_frees_its_subnet()
    {
        // Room for exactly two /24s.
        await using var server = await ServerProcess.StartSecureAsync("--disable-scheduler", "--cluster-cidr", "10.9.0.0/23", "--node-cidr-mask-size", "24");
        using var client = new Kubernetes(new KubernetesClientConfiguration { Host = server.Url });
        V1Node Node(string name, string? cidr = null) => new() { Metadata = new V1ObjectMeta { Name = name }, Spec = new V1NodeSpec { PodCIDR = cidr, PodCIDRs = cidr is null ? null : [cidr] } };

        await client.CoreV1.CreateNodeAsync(Node("preset", "10.9.1.0/24"));
        await client.CoreV1.CreateNodeAsync(Node("first"));
        await Poll.UntilAsync("the first node's subnet", async () => await PodCidrAsync(client, "first") is not null);
        Assert.Equal("10.9.0.0/24", await PodCidrAsync(client, "first"));
        Assert.Equal(["10.9.0.0/24"], (await client.CoreV1.ReadNodeAsync("first")).Spec.PodCIDRs);
        Assert.Equal("10.9.1.0/24", await PodCidrAsync(client, "preset"));

        await client.CoreV1.CreateNodeAsync(Node("waiting"));
        await Poll.UntilAsync("a CIDRNotAvailable event for the node that found no room", async () =>
            (await client.CoreV1.ListNamespacedEventAsync("default")).Items.Any(e => e.Reason == "CIDRNotAvailable" && e.InvolvedObject.Name == "waiting"));
        Assert.Null(await PodCidrAsync(client, "waiting"));

        await client.CoreV1.DeleteNodeAsync("preset");
        await Poll.UntilAsync("the freed subnet given to the waiting node", async () => await PodCidrAsync(client, "waiting") == "10.9.1.0/24");
    }
}
