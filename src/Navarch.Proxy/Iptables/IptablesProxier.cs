namespace Navarch.Proxy.Iptables;

/// <summary>
/// The iptables mode: every sync restores the whole ruleset that <see cref="IptablesRules"/> renders (the kernel then
/// does all the forwarding), deleting the per-service chains of the last sync that are gone, and ensures the jumps
/// into it. The first sync also removes what the userspace mode may have left.
/// </summary>
public sealed class IptablesProxier(IIptables iptables, ProxyNode node) : IProxier
{
    private IReadOnlyList<string> _written = [];
    private bool _started;

    public async Task SyncAsync(IReadOnlyList<ServicePort> ports, CancellationToken ct)
    {
        if (!_started)
        {
            await ProxyCleanup.RemoveUserspaceAsync(iptables, ct);
            _started = true;
        }
        var (rules, owned) = IptablesRules.RenderSync(ports, node, _written);
        await iptables.RestoreAsync(rules, ct);
        // Recorded as soon as they exist: if ensuring a jump fails, the retry must still know to delete them.
        _written = owned;
        await ProxyCleanup.EnsureJumpsAsync(iptables, IptablesRules.Jumps, ct);
    }

    /// <summary>Leaves the rules in place: traffic keeps flowing while the agent restarts (as upstream's kube-proxy).</summary>
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
