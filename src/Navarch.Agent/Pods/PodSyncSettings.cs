using Navarch.Cri;

namespace Navarch.Agent.Pods;

/// <summary>What every pod sync of one node needs to know about the node and its runtime.</summary>
/// <param name="NodeName">The node's name.</param>
/// <param name="NodeIp">The node's IP: every pod's hostIP.</param>
/// <param name="LogRoot">Directory under which pod log directories go.</param>
/// <param name="CgroupRoot">Parent cgroup of pods, or empty for the runtime's default.</param>
/// <param name="NodeDns">The node's resolv.conf.</param>
/// <param name="RuntimeName">The runtime's name, the prefix of container ids (<c>containerd</c>).</param>
/// <param name="OrphanGracePeriod">Grace period for containers of pods gone from the API.</param>
/// <param name="ClusterDns">The cluster DNS pods with dnsPolicy ClusterFirst use; null: none (they get the node's).</param>
/// <param name="MountRetry">When a pod whose volumes could not be written is tried again; null: 10 s.</param>
/// <param name="EndpointDrain">How long a pod deleted while Ready keeps running before it is stopped (see AgentOptions.EndpointDrain); zero: none.</param>
public sealed record PodSyncSettings(
    string NodeName,
    string NodeIp,
    string LogRoot,
    string CgroupRoot,
    DnsSpec NodeDns,
    string RuntimeName,
    TimeSpan OrphanGracePeriod,
    ClusterDnsSettings? ClusterDns = null,
    TimeSpan? MountRetry = null,
    TimeSpan EndpointDrain = default);
