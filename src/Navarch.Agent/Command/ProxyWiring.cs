using System.Net;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Navarch.Agent;
using Navarch.Client.Informers;
using Navarch.Proxy;
using Navarch.Proxy.Iptables;
using Navarch.Proxy.Userspace;

namespace Navarch.Agent.Command;

/// <summary>The agent's service proxy flags, checked.</summary>
/// <param name="Mode">The proxy mode.</param>
/// <param name="Node">The node the proxy programs.</param>
internal sealed record ProxySettings(ProxyMode Mode, ProxyNode Node)
{
    /// <summary>
    /// Reads <c>--proxy-mode</c> (default iptables; none for the fake runtime, whose hollow nodes share a host) and
    /// <c>--cluster-cidr</c>. Throws <see cref="ArgumentException"/> with a one-line message.
    /// </summary>
    public static ProxySettings Parse(string? mode, string? clusterCidr, bool fakeRuntime, AgentOptions options)
    {
        var parsed = mode switch
        {
            null => fakeRuntime ? ProxyMode.None : ProxyMode.Iptables,
            "iptables" => ProxyMode.Iptables,
            "userspace" => ProxyMode.Userspace,
            _ => ProxyMode.None,
        };
        IPNetwork? cidr = null;
        if (clusterCidr is not null)
        {
            if (!IPNetwork.TryParse(clusterCidr, out var network) || network.BaseAddress.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork)
                throw new ArgumentException($"--cluster-cidr \"{clusterCidr}\" is not an IPv4 CIDR");
            cidr = network;
        }
        return new ProxySettings(parsed, new ProxyNode(options.NodeName, IPAddress.Parse(options.NodeIp), cidr));
    }
}

/// <summary>Builds the agent's service proxy, and the <c>--cleanup</c> path.</summary>
internal static class ProxyWiring
{
    /// <summary>
    /// The node's service proxy, over the agent's service informer and one of its own for EndpointSlices; null for
    /// mode none. The caller runs it beside the agent.
    /// </summary>
    public static ServiceProxyRun? Create(ProxySettings settings, IKubernetes client, Informer<V1Service> services, ILoggerFactory loggers)
    {
        if (settings.Mode == ProxyMode.None) return null;
        // The agent runs in its node's network namespace: iptables without a prefix programs that node.
        var iptables = new IptablesCli();
        IProxier proxier = settings.Mode == ProxyMode.Userspace
            ? new UserspaceProxier(iptables, settings.Node, loggers.CreateLogger<UserspaceProxier>())
            : new IptablesProxier(iptables, settings.Node);
        var slices = new Informer<V1EndpointSlice>(ListWatches.For<V1EndpointSlice>(client), TimeSpan.Zero, TimeProvider.System, loggers.CreateLogger("Navarch.Proxy.EndpointSlices"));
        return new ServiceProxyRun(new ServiceProxy(services, slices, proxier, loggers.CreateLogger<ServiceProxy>()), slices);
    }

    /// <summary><c>navarch agent --cleanup</c>: removes both modes' chains and jumps from this namespace's iptables.</summary>
    public static async Task<int> CleanupAsync(CancellationToken ct)
    {
        try
        {
            await ProxyCleanup.RemoveAllAsync(new IptablesCli(), ct);
            Console.Error.WriteLine("navarch agent: service proxy rules removed");
            return 0;
        }
        catch (IptablesException e)
        {
            Console.Error.WriteLine($"navarch agent: cleanup failed: {e.Message}");
            return 1;
        }
    }
}

/// <summary>A service proxy and the EndpointSlice informer it owns (the Service informer is the agent's).</summary>
internal sealed record ServiceProxyRun(ServiceProxy Proxy, Informer<V1EndpointSlice> Slices)
{
    public Task RunAsync(CancellationToken ct) => Task.WhenAll(Slices.RunAsync(ct), Proxy.RunAsync(ct));
}
