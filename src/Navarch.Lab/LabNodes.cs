using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Navarch.Lab.Host;

namespace Navarch.Lab;

/// <summary>
/// <c>navarch lab add-node</c> and <c>remove-node</c>: a machine joins the running lab as the config's nodes did (a
/// namespace on the switch, containerd, an agent, the images, host-gw routes), or leaves it. The state file records
/// the node before anything of it is made, so <c>navarch down</c> removes it with the rest; a join that fails removes
/// what it made.
/// </summary>
public sealed class LabNodes(LabState state, LabOptions options, Action<string> progress)
{
    /// <summary>Adds an agent node at <paramref name="address"/> and waits until it is Ready, schedulable and routed. Throws <see cref="LabException"/> (after removing it) on failure.</summary>
    public async Task<NodeState> AddAsync(IPAddress address, CancellationToken ct)
    {
        var settings = RunningLab();
        var node = LabLayout.AddedNode(state, address);
        // Every machine's eth0 has an address in the first node's /24 (LabNetwork).
        var network = IPAddress.Parse(state.Nodes.First().Address).GetAddressBytes()[..3];
        var bytes = address.GetAddressBytes();
        if (bytes.Length != 4 || !bytes[..3].SequenceEqual(network) || bytes[3] is 0 or 255)
            throw new LabException($"{address} is not a host address of the lab's network {string.Join('.', network)}.0/24");
        if (state.Nodes.Any(n => n.Address == node.Address)) throw new LabException($"the lab already has a machine at {address}");
        if (new NetworkNamespace(node.Namespace).Exists)
            throw new LabException($"network namespace {node.Namespace} already exists but belongs to no node of the lab: delete it (ip netns del {node.Namespace})");

        state.Nodes.Add(node);
        state.Save();
        try
        {
            await JoinAsync(node, settings, ct);
            return node;
        }
        catch (Exception e)
        {
            progress($"{node.Name} did not join ({e.Message.Split('\n')[0]}); removing it");
            try { await RemoveAsync(node, CancellationToken.None); }
            catch (LabException cleanup) { progress(cleanup.Message); }
            if (e is LabException or OperationCanceledException) throw;
            throw new LabException(e.Message, e);
        }
    }

    /// <summary>Removes the agent node <paramref name="name"/>: the machine, the other nodes' routes to its pods, its Node object and the pods bound to it.</summary>
    public async Task RemoveAsync(string name, CancellationToken ct)
    {
        RunningLab();
        var node = state.Nodes.FirstOrDefault(n => n.Name == name) ?? throw new LabException($"the lab has no node {name}");
        if (node.IsMaster) throw new LabException($"{name} is a master: only `navarch down` removes masters");
        await RemoveAsync(node, ct);
    }

    private async Task JoinAsync(NodeState node, LabAgentSettings settings, CancellationToken ct)
    {
        var images = Task.Run(() => ImagePreloader.BuildAsync(options.ImageCacheDir, ct), ct);
        var ns = new NetworkNamespace(node.Namespace);
        await LabNetwork.BuildNodeAsync(node, new NetworkNamespace(state.SwitchNamespace), settings.ServiceRange, ct);
        var self = options.SelfCommand;
        node.Agent = ProcessRecord.Of(DetachedProcess.Start(ns.Path, self[0], [.. self.Skip(1), .. settings.ArgumentsFor(node)],
            Path.Combine(LabLayout.LogDir(state.DataDir), node.Name + ".log")));
        state.Save();
        progress($"{node.Name}: namespace {node.Namespace} on the switch, agent started");

        var paths = ImagePreloader.ContainerdOf(node.DataDir);
        await ImagePreloader.WaitForRuntimeAsync(node.Name, paths, () => node.Agent.IsAlive, () => Tail(node.Agent), options.ReadyTimeout, ct);
        await ImagePreloader.ImportAsync(paths, await images, ct);

        using var client = Client();
        var deadline = DateTime.UtcNow + options.ReadyTimeout;
        V1Node? registered;
        while (true)
        {
            if (!node.Agent.IsAlive) throw new LabException($"the agent of {node.Name} exited; its log ends:\n{Tail(node.Agent)}");
            registered = (await client.CoreV1.ListNodeAsync(fieldSelector: $"metadata.name={node.Name}", cancellationToken: ct)).Items.FirstOrDefault();
            if (registered is not null && ClusterReport.IsSchedulable(registered) && !string.IsNullOrEmpty(registered.Spec?.PodCIDR)) break;
            if (DateTime.UtcNow > deadline)
                throw new LabException($"{node.Name} was not Ready and schedulable with a pod subnet within {options.ReadyTimeout.TotalSeconds:0} s; its agent's log ends:\n{Tail(node.Agent)}");
            await Task.Delay(200, ct);
        }
        node.PodCidr = registered.Spec.PodCIDR;
        state.Save();
        await LabNetwork.RoutePodSubnetsAsync(state, ct);
        progress($"{node.Name} joined: Ready, pod subnet {node.PodCidr} routed from every node");
    }

    private async Task RemoveAsync(NodeState node, CancellationToken ct)
    {
        await LabDown.RemoveNodeAsync(node, progress, ct);
        await LabNetwork.UnroutePodSubnetAsync(state, node, ct);
        state.Nodes.Remove(node);
        state.Save();
        try
        {
            var pods = await ForgetAsync(node.Name, ct);
            progress($"{node.Name} removed: namespace, agent, containerd, routes, Node object and {pods} pods bound to it");
        }
        catch (Exception e) when (e is HttpOperationException or HttpRequestException)
        {
            throw new LabException($"{node.Name}'s machine is gone, but its Node object or pods could not be deleted through 127.0.0.1:{state.HostPort}: {e.Message}", e);
        }
    }

    /// <summary>
    /// Deletes the Node object of a machine that is gone for good and, as upstream's pod GC does for pods of a deleted
    /// node, the pods still bound to it, which no agent will ever confirm deleted. Returns how many pods it deleted.
    /// </summary>
    private async Task<int> ForgetAsync(string name, CancellationToken ct)
    {
        using var client = Client();
        try { await client.CoreV1.DeleteNodeAsync(name, cancellationToken: ct); }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound) { /* never registered */ }
        var bound = await client.CoreV1.ListPodForAllNamespacesAsync(fieldSelector: $"spec.nodeName={name}", cancellationToken: ct);
        foreach (var pod in bound.Items)
        {
            try { await client.CoreV1.DeleteNamespacedPodAsync(pod.Metadata.Name, pod.Metadata.NamespaceProperty, gracePeriodSeconds: 0, cancellationToken: ct); }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound) { /* gone meanwhile */ }
        }
        return bound.Items.Count;
    }

    /// <summary>The recorded agent settings of the running lab; throws <see cref="LabException"/> when no lab runs or it cannot take nodes.</summary>
    private LabAgentSettings RunningLab()
    {
        Prerequisites.RequireRoot("navarch lab");
        if (!state.Masters.Any(m => m.Server?.IsAlive == true)) throw new LabException($"the lab in {state.DataDir} is not running: `navarch up` starts it");
        return state.Agents ?? throw new LabException($"the lab in {state.DataDir} was built by an older navarch that did not record its agents' settings: `navarch down` and `navarch up` again");
    }

    private Kubernetes Client() => new(Navarch.Client.ClientConfigurations.ForUrl($"http://127.0.0.1:{state.HostPort}"));

    private static string Tail(ProcessRecord process) => new DetachedProcess(process.Pid, process.StartTicks, process.LogFile).LogTail();
}
