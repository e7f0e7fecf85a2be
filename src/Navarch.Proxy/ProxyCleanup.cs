using Navarch.Proxy.Iptables;
using Navarch.Proxy.Userspace;

namespace Navarch.Proxy;

/// <summary>
/// Removes what a proxy mode wrote into iptables: first the jumps from the built-in chains (a chain still jumped to
/// cannot be deleted), then the chains. Used by <c>navarch agent --cleanup</c> for both modes, and by each mode when
/// it starts, for the other one's leftovers.
/// </summary>
public static class ProxyCleanup
{
    /// <summary>Removes the userspace mode's four chains and their jumps; nothing to remove is fine.</summary>
    public static async Task RemoveUserspaceAsync(IIptables iptables, CancellationToken ct)
    {
        await DeleteJumpsAsync(iptables, PortalRules.Jumps, ct);
        await iptables.RestoreAsync(PortalRules.RenderCleanup(), ct);
    }

    /// <summary>Removes the iptables mode's chains (top-level and per service) and their jumps; nothing to remove is fine.</summary>
    public static async Task RemoveIptablesAsync(IIptables iptables, CancellationToken ct)
    {
        await DeleteJumpsAsync(iptables, IptablesRules.Jumps, ct);
        var nat = await iptables.SaveAsync("nat", ct);
        await iptables.RestoreAsync(IptablesRules.RenderCleanup(ChainNamesIn(nat)), ct);
    }

    /// <summary>Both modes.</summary>
    public static async Task RemoveAllAsync(IIptables iptables, CancellationToken ct)
    {
        await RemoveUserspaceAsync(iptables, ct);
        await RemoveIptablesAsync(iptables, ct);
    }

    /// <summary>The chain names an <c>iptables-save</c> text declares (its <c>:NAME POLICY [p:b]</c> lines).</summary>
    internal static IEnumerable<string> ChainNamesIn(string saved) =>
        saved.Split('\n')
            .Where(line => line.StartsWith(':'))
            .Select(line => line[1..].Split(' ')[0]);

    /// <summary>
    /// Deletes the jumps whose target chain exists (iptables cannot even check a rule that jumps to a missing chain,
    /// and then there is no such rule to delete).
    /// </summary>
    private static async Task DeleteJumpsAsync(IIptables iptables, IReadOnlyList<JumpRule> jumps, CancellationToken ct)
    {
        foreach (var table in jumps.Select(j => j.Table).Distinct())
        {
            var chains = ChainNamesIn(await iptables.SaveAsync(table, ct)).ToHashSet(StringComparer.Ordinal);
            foreach (var jump in jumps.Where(j => j.Table == table && chains.Contains(Target(j))))
                await iptables.DeleteRuleAsync(jump.Table, jump.Chain, jump.Rule, ct);
        }
    }

    private static string Target(JumpRule jump)
    {
        var j = jump.Rule.ToList().LastIndexOf("-j");
        return j >= 0 && j + 1 < jump.Rule.Count ? jump.Rule[j + 1] : "";
    }

    /// <summary>Ensures every jump of a mode, in order.</summary>
    internal static async Task EnsureJumpsAsync(IIptables iptables, IEnumerable<JumpRule> jumps, CancellationToken ct)
    {
        foreach (var jump in jumps)
            await iptables.EnsureRuleAsync(jump.Table, jump.Chain, jump.Rule, jump.Prepend, ct);
    }
}
