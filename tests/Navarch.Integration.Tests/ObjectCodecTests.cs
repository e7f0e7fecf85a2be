using System.Text;
using k8s;
using k8s.Models;
using Navarch.Api.Resources;
using Navarch.Api.Serialization;
using Navarch.ApiServer.Storage;

namespace Navarch.Integration.Tests;

/// <summary>The stored bytes with the revision spliced in must be what a fresh serialization gives.</summary>
[Trait("Category", "Unit")]
public sealed class ObjectCodecTests
{
    public static TheoryData<string, IKubernetesObject<V1ObjectMeta>, ResourceType> Objects => new()
    {
        { "pod with labels", new V1Pod { Metadata = new V1ObjectMeta { Name = "p", NamespaceProperty = "default", Labels = new Dictionary<string, string> { ["a"] = "b" }, Uid = "u" }, Spec = new V1PodSpec { Containers = [new V1Container { Name = "c", Image = "nginx" }] } }, ResourceCatalog.Pods },
        { "namespace with only a name", new V1Namespace { Metadata = new V1ObjectMeta { Name = "ns" } }, ResourceCatalog.Namespaces },
        { "metadata whose last field sorts after resourceVersion", new V1Node { Metadata = new V1ObjectMeta { Name = "n", Uid = "z" } }, ResourceCatalog.Nodes },
    };

    [Theory]
    [MemberData(nameof(Objects))]
    public void WithResourceVersion_matches_a_fresh_serialization(string name, IKubernetesObject<V1ObjectMeta> obj, ResourceType rt)
    {
        var stored = ObjectCodec.Encode(rt, obj);
        var spliced = ObjectCodec.WithResourceVersion(stored, 42);

        obj.Metadata.ResourceVersion = "42";
        Assert.True(spliced is not null, name);
        Assert.Equal(WireJson.Serialize(obj), Encoding.UTF8.GetString(spliced));
    }
}
