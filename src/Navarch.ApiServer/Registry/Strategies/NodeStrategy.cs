using Navarch.Api.Resources;

namespace Navarch.ApiServer.Registry.Strategies;

/// <summary>Nodes: agents write their status before anything else knows them, so create keeps the status.</summary>
public sealed class NodeStrategy() : ResourceStrategy(ResourceCatalog.Nodes)
{
    public override void PrepareForCreate(System.Text.Json.Nodes.JsonObject json)
    {
        // Upstream keeps a node's status on create (the kubelet registers with it).
    }
}
