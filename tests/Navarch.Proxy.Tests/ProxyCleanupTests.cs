using Navarch.Proxy.Iptables;
using Navarch.Proxy.Tests.ChangeTracking;
using Navarch.Proxy.Userspace;

namespace Navarch.Proxy.Tests;

/// <summary>
/// <see cref="ProxyCleanup"/> against <see cref="FakeIptables"/>, which, like iptables, refuses to check or delete a
/// jump to a chain that does not exist and to delete a chain that is still jumped to.
/// </summary>
[Trait("Category", "Unit")]
public sealed class ProxyCleanupTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    // A rule of someone else's in a built-in chain the proxy also uses: cleanup must leave it alone.
    private static readonly string[] ForeignRule = ["-p", "tcp", "--dport", "8080", "-j", "ACCEPT"];

    [Fact]
    public async Task Removing_userspace_leftovers_deletes_the_four_jumps_then_the_four_chains()
    {
        var iptables = new FakeIptables();
        await WriteUserspaceModeAsync(iptables);
        await iptables.EnsureRuleAsync("nat", "PREROUTING", ForeignRule, prepend: false, None);
        var before = iptables.Calls.Count;

        await ProxyCleanup.RemoveUserspaceAsync(iptables, None);

        var calls = iptables.Calls.Skip(before).ToList();
        Assert.Equal(PortalRules.Jumps.Count, calls.Count(c => c.Verb == IptablesVerb.Delete));
        Assert.All(PortalRules.Jumps, jump => Assert.Contains(calls, c => c.Verb == IptablesVerb.Delete && c.Is(jump)));
        Assert.Equal(IptablesVerb.Restore, calls[^1].Verb);
        Assert.Equal(PortalRules.RenderCleanup(), calls[^1].Text);
        Assert.All(PortalRules.Chains, chain => Assert.False(iptables.HasChain("nat", chain), chain));
        Assert.Equal([string.Join(' ', ForeignRule)], iptables.Rules("nat", "PREROUTING"));
        Assert.Empty(iptables.Rules("nat", "OUTPUT"));
    }

    [Fact]
    public async Task Removing_userspace_mode_from_a_clean_node_deletes_no_jump_and_still_restores_the_cleanup()
    {
        var iptables = new FakeIptables();

        await ProxyCleanup.RemoveUserspaceAsync(iptables, None);

        Assert.Empty(iptables.Deletes);
        Assert.Equal([PortalRules.RenderCleanup()], iptables.Restores);
        Assert.All(PortalRules.Chains, chain => Assert.False(iptables.HasChain("nat", chain), chain));
    }

    [Fact]
    public async Task Only_the_jumps_whose_target_chain_exists_are_deleted()
    {
        // A half-cleaned node: only KUBE-PORTALS-CONTAINER and its jump are left. Checking the other jumps would fail
        // (iptables cannot check a rule that jumps to a missing chain), so they must not even be tried.
        var iptables = new FakeIptables();
        await iptables.RestoreAsync("*nat\n:KUBE-PORTALS-CONTAINER - [0:0]\nCOMMIT\n", None);
        var containerJump = PortalRules.Jumps.Single(j => j.Rule[^1] == PortalRules.ContainerPortals);
        await iptables.EnsureRuleAsync(containerJump.Table, containerJump.Chain, containerJump.Rule, containerJump.Prepend, None);

        await ProxyCleanup.RemoveUserspaceAsync(iptables, None);

        var deleted = Assert.Single(iptables.Deletes);
        Assert.True(deleted.Is(containerJump));
        Assert.False(iptables.HasChain("nat", PortalRules.ContainerPortals));
        Assert.Empty(iptables.Rules("nat", "PREROUTING"));
    }

    [Fact]
    public async Task Removing_iptables_leftovers_deletes_the_jumps_and_every_top_level_and_per_service_chain()
    {
        var iptables = new FakeIptables();
        await WriteIptablesModeAsync(iptables);
        await iptables.EnsureRuleAsync("filter", "FORWARD", ForeignRule, prepend: false, None);
        var serviceChains = IptablesRules.OwnedChains(SeedCluster.Ports(), SeedCluster.Node201);
        Assert.All(serviceChains, chain => Assert.True(iptables.HasChain("nat", chain), chain));
        var before = iptables.Calls.Count;

        await ProxyCleanup.RemoveIptablesAsync(iptables, None);

        var calls = iptables.Calls.Skip(before).ToList();
        Assert.Equal(IptablesRules.Jumps.Count, calls.Count(c => c.Verb == IptablesVerb.Delete));
        Assert.All(IptablesRules.Jumps, jump => Assert.Contains(calls, c => c.Verb == IptablesVerb.Delete && c.Is(jump)));
        var cleanup = calls[^1];
        Assert.Equal(IptablesVerb.Restore, cleanup.Verb);
        Assert.All(serviceChains, chain => Assert.Contains($"-X {chain}\n", cleanup.Text));
        Assert.Equal(IptablesRules.RenderCleanup(serviceChains), cleanup.Text);
        Assert.All(new[] { "nat", "filter" }, table => Assert.DoesNotContain(iptables.Chains(table), c => c.StartsWith("KUBE-", StringComparison.Ordinal)));
        Assert.Equal([string.Join(' ', ForeignRule)], iptables.Rules("filter", "FORWARD"));
        Assert.All(new[] { ("filter", "INPUT"), ("filter", "OUTPUT"), ("nat", "PREROUTING"), ("nat", "OUTPUT"), ("nat", "POSTROUTING") },
            c => Assert.Empty(iptables.Rules(c.Item1, c.Item2)));
    }

    [Fact]
    public async Task Removing_iptables_mode_from_a_clean_node_deletes_no_jump_and_restores_the_top_level_cleanup()
    {
        var iptables = new FakeIptables();

        await ProxyCleanup.RemoveIptablesAsync(iptables, None);

        Assert.Empty(iptables.Deletes);
        Assert.Equal([IptablesRules.RenderCleanup([])], iptables.Restores);
        Assert.DoesNotContain(iptables.Chains("nat"), c => c.StartsWith("KUBE-", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Removing_all_removes_both_modes()
    {
        var iptables = new FakeIptables();
        await WriteUserspaceModeAsync(iptables);
        await WriteIptablesModeAsync(iptables);

        await ProxyCleanup.RemoveAllAsync(iptables, None);

        Assert.Equal(PortalRules.Jumps.Count + IptablesRules.Jumps.Count, iptables.Deletes.Count);
        Assert.All(new[] { "nat", "filter" }, table => Assert.DoesNotContain(iptables.Chains(table), c => c.StartsWith("KUBE-", StringComparison.Ordinal)));
        Assert.All(new[] { ("filter", "INPUT"), ("filter", "FORWARD"), ("filter", "OUTPUT"), ("nat", "PREROUTING"), ("nat", "OUTPUT"), ("nat", "POSTROUTING") },
            c => Assert.Empty(iptables.Rules(c.Item1, c.Item2)));
    }

    [Fact]
    public async Task A_failing_cleanup_restore_is_reported()
    {
        var iptables = new FakeIptables();
        iptables.FailNextRestore();

        await Assert.ThrowsAsync<IptablesException>(() => ProxyCleanup.RemoveUserspaceAsync(iptables, None));
    }

    [Fact]
    public void Chain_names_are_read_from_the_declarations_of_iptables_save_text()
    {
        const string saved = """
            # Generated by iptables-save v1.8.9 (nf_tables) on Mon Jan  1 00:00:00 2024
            *nat
            :PREROUTING ACCEPT [0:0]
            :OUTPUT ACCEPT [12:720]
            :KUBE-SERVICES - [0:0]
            :KUBE-SVC-ABCDEFGHIJKLMNOP - [0:0]
            -A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
            -A KUBE-SERVICES -d 10.96.0.1/32 -p tcp -m comment --comment "default/kubernetes:https cluster IP" -m tcp --dport 443 -j KUBE-SVC-ABCDEFGHIJKLMNOP
            COMMIT
            # Completed on Mon Jan  1 00:00:00 2024

            """;

        Assert.Equal(["PREROUTING", "OUTPUT", "KUBE-SERVICES", "KUBE-SVC-ABCDEFGHIJKLMNOP"], ProxyCleanup.ChainNamesIn(saved));
        Assert.Empty(ProxyCleanup.ChainNamesIn(""));
    }

    private static async Task WriteUserspaceModeAsync(FakeIptables iptables)
    {
        var ports = SeedCluster.Ports();
        await iptables.RestoreAsync(PortalRules.Render([(ports[0], 40001), (ports[1], 40002)], SeedCluster.Node201), None);
        await ProxyCleanup.EnsureJumpsAsync(iptables, PortalRules.Jumps, None);
    }

    private static async Task WriteIptablesModeAsync(FakeIptables iptables)
    {
        await iptables.RestoreAsync(IptablesRules.Render(SeedCluster.Ports(), SeedCluster.Node201), None);
        await ProxyCleanup.EnsureJumpsAsync(iptables, IptablesRules.Jumps, None);
    }
}
