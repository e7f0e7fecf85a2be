using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace Navarch.Controllers.GarbageCollector;

/// <summary>Any object read for its metadata only (upstream's PartialObjectMetadata); other fields are ignored.</summary>
public sealed class MetadataOnly : IKubernetesObject<V1ObjectMeta>
{
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = "";

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = "";

    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();
}

/// <summary>A list of any kind, read for its items' metadata only.</summary>
public sealed class MetadataOnlyList
{
    [JsonPropertyName("items")]
    public List<MetadataOnly> Items { get; set; } = [];
}
