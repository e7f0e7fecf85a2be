namespace Navarch.Api.Kinds;

/// <summary>
/// Where a kind's <c>scale</c> subresource (an autoscaling/v1 Scale) reads and writes, as dotted JSON paths
/// (a CRD's <c>subresources.scale</c>): desired replicas, observed replicas, and the selector, which may be a
/// label map (ReplicationController), a LabelSelector (apps/v1) or already a selector string.
/// </summary>
public sealed record ScaleSubresource(
    string SpecReplicasPath = "spec.replicas",
    string StatusReplicasPath = "status.replicas",
    string SelectorPath = "spec.selector")
{
    public static ScaleSubresource Standard { get; } = new();
}
