using Navarch.Api.Resources;

namespace Navarch.ApiServer.Registry.Strategies;

/// <summary>ReplicationControllers: spec changes bump generation, which the controller echoes as observedGeneration.</summary>
public sealed class ReplicationControllerStrategy() : ResourceStrategy(ResourceCatalog.ReplicationControllers)
{
    public override bool TracksGeneration => true;
}
