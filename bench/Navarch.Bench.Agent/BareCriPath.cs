using System.Collections.Concurrent;
using System.Diagnostics;
using Navarch.Agent.Pods;
using Navarch.Cri;

namespace Navarch.Bench.Agent;

/// <summary>
/// The baseline: a pod started straight through <see cref="ICriRuntime"/> against the agent's own containerd —
/// RunPodSandbox, CreateContainer, StartContainer, with the specs the agent would build — and nothing else.
/// </summary>
internal sealed class BareCriPath(ICriRuntime cri, string nodeName, string nodeIp, string logRoot)
{
    /// <summary>The CRI namespace of the baseline's sandboxes (no API object exists for them).</summary>
    public const string Namespace = "bench-cri";

    private readonly DnsSpec _nodeDns = PodDns.ParseResolvConf(File.Exists("/etc/resolv.conf") ? File.ReadAllText("/etc/resolv.conf") : "");
    private readonly ConcurrentBag<string> _sandboxes = [];

    /// <summary>Starts pod <paramref name="name"/>; returns the Stopwatch timestamp at which StartContainer returned.</summary>
    public async Task<long> StartAsync(string name, CancellationToken ct)
    {
        var (sandbox, container) = BenchPod.BareSpecs(name, Namespace, nodeName, nodeIp, logRoot, _nodeDns);
        Directory.CreateDirectory(sandbox.LogDirectory);
        var id = await cri.RunSandboxAsync(sandbox, ct);
        _sandboxes.Add(id);
        var containerId = await cri.CreateContainerAsync(id, container, sandbox, ct);
        await cri.StartContainerAsync(containerId, ct);
        return Stopwatch.GetTimestamp();
    }

    /// <summary>Stops and removes every sandbox this path started (CNI DEL runs), a few at once.</summary>
    public async Task RemoveAllAsync(CancellationToken ct)
    {
        var ids = _sandboxes.ToArray();
        _sandboxes.Clear();
        await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct }, async (id, token) =>
        {
            await cri.StopSandboxAsync(id, token);
            await cri.RemoveSandboxAsync(id, token);
        });
    }
}
