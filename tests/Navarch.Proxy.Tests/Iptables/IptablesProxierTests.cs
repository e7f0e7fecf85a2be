using Navarch.Proxy.Iptables;
using Navarch.Proxy.Tests.ChangeTracking;
using Navarch.Proxy.Userspace;

namespace Navarch.Proxy.Tests.Iptables;

/// <summary>The iptables mode over <see cref="FakeIptables"/>: what it restores and ensures, sync after sync.</summary>
[Trait("Category", "Unit")]
public sealed class IptablesProxierTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    private readonly FakeIptables _iptables = new();
    private readonly IptablesProxier _proxier;

    public IptablesProxierTests()
    {
        _proxier = new IptablesProxier(_iptables, SeedCluster.Node201);
    }

    [Fact]
    public async Task The_first_sync_removes_userspace_leftovers_restores_the_rendered_rules_and_ensures_the_jumps()
    {
        await _iptables.RestoreAsync(PortalRules.Render([.. SeedCluster.Ports().Select(p => (p, 40000))], SeedCluster.Node201), None);
        await ProxyCleanup.EnsureJumpsAsync(_iptables, PortalRules.Jumps, None);
        var before = _iptables.Calls.Count;
        var ports = SeedCluster.Ports();

        await _proxier.SyncAsync(ports, None);

        var calls = _iptables.Calls.Skip(before).ToList();
        Assert.Equal(PortalRules.Jumps.Count, calls.Count(c => c.Verb == IptablesVerb.Delete));
        Assert.All(PortalRules.Chains, chain => Assert.False(_iptables.HasChain("nat", chain), chain));
        Assert.Equal([PortalRules.RenderCleanup(), IptablesRules.Render(ports, SeedCluster.Node201)], calls.Where(c => c.Verb == IptablesVerb.Restore).Select(c => c.Text));

        // The jumps come after the restore that creates their targets, in order.
        var restored = calls.FindLastIndex(c => c.Verb == IptablesVerb.Restore);
        var ensures = calls.Skip(restored + 1).ToList();
        Assert.Equal(IptablesRules.Jumps.Count, ensures.Count);
        Assert.All(IptablesRules.Jumps.Zip(ensures), pair => Assert.True(pair.Second.Verb == IptablesVerb.Ensure && pair.Second.Is(pair.First)));
        Assert.All(IptablesRules.OwnedChains(ports, SeedCluster.Node201), chain => Assert.True(_iptables.HasChain("nat", chain), chain));
        Assert.Equal(
            ["-m comment --comment kubernetes service portals -j KUBE-SERVICES"],
            _iptables.Rules("nat", "PREROUTING"));
    }

    [Fact]
    public async Task Later_syncs_do_not_look_for_userspace_leftovers_again()
    {
        await _proxier.SyncAsync(SeedCluster.Ports(), None);
        var before = _iptables.Calls.Count;

        await _proxier.SyncAsync(SeedCluster.Ports(), None);

        Assert.Equal(
            [IptablesVerb.Restore, .. IptablesRules.Jumps.Select(_ => IptablesVerb.Ensure)],
            _iptables.Calls.Skip(before).Select(c => c.Verb));
    }

    [Fact]
    public async Task The_second_sync_deletes_the_chains_of_a_removed_service()
    {
        var ports = SeedCluster.Ports();
        var removed = ports.Single(p => p.Service == "nginx-service-clusterip");
        var kept = ports.Single(p => p.Service == "nginx-service-nodeport");
        await _proxier.SyncAsync(ports, None);
        var firstOwned = IptablesRules.OwnedChains(ports, SeedCluster.Node201);
        var removedChains = firstOwned.Except(IptablesRules.OwnedChains([kept], SeedCluster.Node201)).ToList();
        Assert.Contains(ChainNames.ClusterPolicy(removed), removedChains);
        Assert.True(_iptables.HasChain("nat", ChainNames.ClusterPolicy(removed)));

        await _proxier.SyncAsync([kept], None);

        var text = _iptables.Restores[^1];
        Assert.Equal(IptablesRules.Render([kept], SeedCluster.Node201, firstOwned), text);
        Assert.Contains($"-X {ChainNames.ClusterPolicy(removed)}\n", text);
        Assert.All(removedChains, chain => Assert.Contains($"-X {chain}\n", text));
        Assert.All(removedChains, chain => Assert.False(_iptables.HasChain("nat", chain), chain));
        Assert.All(IptablesRules.OwnedChains([kept], SeedCluster.Node201), chain => Assert.True(_iptables.HasChain("nat", chain), chain));
    }

    [Fact]
    public async Task After_a_failed_restore_the_next_sync_still_deletes_what_the_last_good_one_wrote()
    {
        var ports = SeedCluster.Ports();
        var removed = ports.Single(p => p.Service == "nginx-service-clusterip");
        var kept = ports.Single(p => p.Service == "nginx-service-nodeport");
        await _proxier.SyncAsync(ports, None);

        _iptables.FailNextRestore();
        await Assert.ThrowsAsync<IptablesException>(() => _proxier.SyncAsync([kept], None));
        Assert.True(_iptables.HasChain("nat", ChainNames.ClusterPolicy(removed)));

        await _proxier.SyncAsync([kept], None);
        Assert.False(_iptables.HasChain("nat", ChainNames.ClusterPolicy(removed)));
    }

    [Fact]
    public async Task Chains_written_by_a_sync_whose_jumps_failed_are_still_deleted_when_their_service_goes()
    {
        var ports = SeedCluster.Ports();
        var kept = ports.Single(p => p.Service == "nginx-service-nodeport");
        var added = kept with { Service = "web", ClusterIp = System.Net.IPAddress.Parse("192.168.3.20"), NodePort = 0 };
        await _proxier.SyncAsync(ports, None);

        // The restore writes web's chains, then ensuring a jump fails: the sync throws, and the proxy retries later.
        _iptables.FailNextEnsure();
        await Assert.ThrowsAsync<IptablesException>(() => _proxier.SyncAsync([kept, added], None));
        Assert.True(_iptables.HasChain("nat", ChainNames.ClusterPolicy(added)));

        await _proxier.SyncAsync([kept], None);

        Assert.DoesNotContain(_iptables.Chains("nat"), chain => ChainNames.IsServiceChain(chain) &&
            !IptablesRules.OwnedChains([kept], SeedCluster.Node201).Contains(chain));
    }

    [Fact]
    public async Task Disposing_leaves_the_rules_in_place()
    {
        await _proxier.SyncAsync(SeedCluster.Ports(), None);
        var calls = _iptables.Calls.Count;

        await _proxier.DisposeAsync();

        Assert.Equal(calls, _iptables.Calls.Count);
        Assert.True(_iptables.HasChain("nat", ChainNames.Services));
    }
}
