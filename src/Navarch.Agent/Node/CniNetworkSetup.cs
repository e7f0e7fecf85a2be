using Navarch.Agent.Network;

namespace Navarch.Agent.Node;

/// <summary>Writes the node's CNI conflist (<see cref="CniConfig"/>) for the pod CIDR into the directory the runtime watches.</summary>
/// <param name="confDir">The runtime's CNI conf_dir.</param>
/// <param name="ipamDataDir">Where host-local keeps its address reservations (the agent's own, not the host-wide default).</param>
public sealed class CniNetworkSetup(string confDir, string ipamDataDir) : IPodNetworkSetup
{
    /// <inheritdoc />
    public Task ApplyPodCidrAsync(string podCidr, CancellationToken cancellationToken)
    {
        CniConfig.Write(confDir, podCidr, ipamDataDir: ipamDataDir);
        return Task.CompletedTask;
    }
}
