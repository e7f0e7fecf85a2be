using k8s.Models;
using Navarch.Api.Schema;

namespace Navarch.Api.Tests.Schema;

[Trait("Category", "Unit")]
public sealed class PatchMetaTests
{
    [Theory]
    [InlineData(typeof(V1PodSpec), "containers", "merge", "name")]
    [InlineData(typeof(V1PodSpec), "volumes", "merge,retainKeys", "name")]
    [InlineData(typeof(V1PodSpec), "hostAliases", "merge", "ip")]
    [InlineData(typeof(V1Container), "ports", "merge", "containerPort")]
    [InlineData(typeof(V1Container), "volumeMounts", "merge", "mountPath")]
    [InlineData(typeof(V1Container), "resizePolicy", null, null)]
    [InlineData(typeof(V1ServiceSpec), "ports", "merge", "port")]
    [InlineData(typeof(V1ObjectMeta), "finalizers", "merge", null)]
    [InlineData(typeof(V1ObjectMeta), "ownerReferences", "merge", "uid")]
    [InlineData(typeof(V1NodeStatus), "addresses", "merge", "type")]
    [InlineData(typeof(V1NodeSpec), "taints", null, null)]
    [InlineData(typeof(V1ReplicationControllerStatus), "conditions", "merge", "type")]
    public void For(Type model, string property, string? strategy, string? key) =>
        Assert.Equal((strategy, key), PatchMeta.For(model, property));

    [Theory]
    [InlineData(typeof(V1PodSpec), "containers", typeof(V1Container))]
    [InlineData(typeof(V1ObjectMeta), "labels", typeof(string))]
    [InlineData(typeof(V1Pod), "spec", typeof(V1PodSpec))]
    [InlineData(typeof(V1ReplicationControllerSpec), "replicas", typeof(int))]
    [InlineData(typeof(V1Pod), "nope", null)]
    public void ElementType(Type model, string property, Type? expected) =>
        Assert.Equal(expected, PatchMeta.ElementType(model, property));

    [Fact]
    public void ListMetadataForApply()
    {
        Assert.Equal(["port", "protocol"], PatchMeta.ListMapKeys(typeof(V1ServiceSpec), "ports"));
        Assert.Equal("set", PatchMeta.ListType(typeof(V1ObjectMeta), "finalizers"));
        Assert.Equal("atomic", PatchMeta.ListType(typeof(V1Container), "args"));
        Assert.True(PatchMeta.IsAtomic(typeof(V1ServiceSpec), "selector"));
        Assert.True(PatchMeta.IsAtomic(typeof(V1DeploymentSpec), "selector"));
        Assert.False(PatchMeta.IsAtomic(typeof(V1ObjectMeta), "labels"));
    }
}
