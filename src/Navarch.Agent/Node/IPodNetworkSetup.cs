namespace Navarch.Agent.Node;

/// <summary>
/// Something that must know the node's pod CIDR before pods can get addresses (the CNI configuration the
/// runtime reads). Called once the node has <c>spec.podCIDR</c>, before any pod starts; called again only
/// if the CIDR changes.
/// </summary>
public interface IPodNetworkSetup
{
    /// <summary>Configures pod networking for <paramref name="podCidr"/> (e.g. <c>10.244.1.0/24</c>). Throws if it cannot; the agent retries.</summary>
    Task ApplyPodCidrAsync(string podCidr, CancellationToken cancellationToken);
}
