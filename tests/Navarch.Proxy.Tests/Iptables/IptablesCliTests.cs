using System.Diagnostics;
using Navarch.Proxy.Iptables;
using Navarch.Proxy.Userspace;
using Navarch.Testing;

namespace Navarch.Proxy.Tests.Iptables;

/// <summary>
/// <see cref="IptablesCli"/> against the real iptables (Debian 1.8.9, nf_tables). Each test runs in a network
/// namespace of its own, reached through the <c>nsenter</c> prefix, so nothing is ever written to the root namespace.
/// The expected lines are what <c>iptables-save</c> prints back, which the rule renderers must match.
/// </summary>
[Trait("Category", "E2E")]
public sealed class IptablesCliTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    private const string Comment = "\"default/nginx-service-nodeport:\"";

    private const string WalkthroughRules = $"""
        *nat
        :KUBE-PORTALS-CONTAINER - [0:0]
        :KUBE-PORTALS-HOST - [0:0]
        :KUBE-NODEPORT-CONTAINER - [0:0]
        :KUBE-NODEPORT-HOST - [0:0]
        -A KUBE-PORTALS-CONTAINER -d 192.168.3.84/32 -p tcp -m comment --comment {Comment} -m tcp --dport 8000 -j REDIRECT --to-ports 43981
        -A KUBE-PORTALS-HOST -d 192.168.3.84/32 -p tcp -m comment --comment {Comment} -m tcp --dport 8000 -j DNAT --to-destination 192.168.0.201:43981
        -A KUBE-NODEPORT-CONTAINER -p tcp -m comment --comment {Comment} -m tcp --dport 32606 -j REDIRECT --to-ports 43981
        -A KUBE-NODEPORT-HOST -p tcp -m comment --comment {Comment} -m tcp --dport 32606 -j DNAT --to-destination 192.168.0.201:43981
        COMMIT

        """;

    // The userspace proxier's jumps from the built-in chains (pkg/proxy/userspace/proxier.go, 2015).
    private static readonly string[] PortalsContainerJump =
        ["-m", "comment", "--comment", "handle ClusterIPs; NOTE: this must be before the NodePort rules", "-j", "KUBE-PORTALS-CONTAINER"];
    private static readonly string[] NodePortContainerJump =
        ["-m", "addrtype", "--dst-type", "LOCAL", "-m", "comment", "--comment", "handle service NodePorts; NOTE: this must be the last rule in the chain", "-j", "KUBE-NODEPORT-CONTAINER"];

    [Fact]
    public async Task Restores_the_walkthrough_userspace_chains_and_saves_them_in_the_walkthrough_form()
    {
        await using var ns = await NetNs.CreateAsync("nvp");
        var iptables = Cli(ns);

        await iptables.RestoreAsync(WalkthroughRules, None);

        var saved = Rules(await iptables.SaveAsync("nat", None));
        Assert.Contains($"-A KUBE-PORTALS-CONTAINER -d 192.168.3.84/32 -p tcp -m comment --comment {Comment} -m tcp --dport 8000 -j REDIRECT --to-ports 43981", saved);
        Assert.Contains($"-A KUBE-PORTALS-HOST -d 192.168.3.84/32 -p tcp -m comment --comment {Comment} -m tcp --dport 8000 -j DNAT --to-destination 192.168.0.201:43981", saved);
        Assert.Contains($"-A KUBE-NODEPORT-CONTAINER -p tcp -m comment --comment {Comment} -m tcp --dport 32606 -j REDIRECT --to-ports 43981", saved);
        Assert.Contains($"-A KUBE-NODEPORT-HOST -p tcp -m comment --comment {Comment} -m tcp --dport 32606 -j DNAT --to-destination 192.168.0.201:43981", saved);
        foreach (var chain in new[] { "KUBE-PORTALS-CONTAINER", "KUBE-PORTALS-HOST", "KUBE-NODEPORT-CONTAINER", "KUBE-NODEPORT-HOST" })
            Assert.True(await ChainExistsAsync(iptables, chain), chain);
    }

    [Fact]
    public async Task Accepts_every_match_and_target_of_the_iptables_mode_and_saves_them_normalised()
    {
        await using var ns = await NetNs.CreateAsync("nvp");
        var iptables = Cli(ns);

        await iptables.RestoreAsync("""
            *filter
            :KUBE-SERVICES - [0:0]
            -A KUBE-SERVICES -d 10.96.0.20/32 -p tcp -m comment --comment "default/empty:http has no endpoints" -m tcp --dport 80 -j REJECT
            COMMIT
            *nat
            :KUBE-SERVICES - [0:0]
            :KUBE-NODEPORTS - [0:0]
            :KUBE-POSTROUTING - [0:0]
            :KUBE-MARK-MASQ - [0:0]
            :KUBE-SVC-ABCDEF0123456789 - [0:0]
            :KUBE-SEP-AAAAAAAAAAAAAAAA - [0:0]
            :KUBE-SEP-BBBBBBBBBBBBBBBB - [0:0]
            -A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN
            -A KUBE-POSTROUTING -j MARK --xor-mark 0x4000
            -A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully
            -A KUBE-MARK-MASQ -j MARK --or-mark 0x4000
            -A KUBE-SERVICES -d 10.96.0.10/32 -p tcp -m comment --comment "default/web:http cluster IP" -m tcp --dport 80 -j KUBE-SVC-ABCDEF0123456789
            -A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS
            -A KUBE-NODEPORTS -p tcp -m comment --comment "default/web:http" -m tcp --dport 30080 -j KUBE-SVC-ABCDEF0123456789
            -A KUBE-SVC-ABCDEF0123456789 ! -s 10.244.0.0/16 -d 10.96.0.10/32 -p tcp -m comment --comment "default/web:http cluster IP" -m tcp --dport 80 -j KUBE-MARK-MASQ
            -A KUBE-SVC-ABCDEF0123456789 -m comment --comment "default/web:http" -m recent --name KUBE-SEP-AAAAAAAAAAAAAAAA --rcheck --seconds 10800 --reap -j KUBE-SEP-AAAAAAAAAAAAAAAA
            -A KUBE-SVC-ABCDEF0123456789 -m comment --comment "default/web:http -> 10.244.1.5:80" -m statistic --mode random --probability 0.5000000000 -j KUBE-SEP-AAAAAAAAAAAAAAAA
            -A KUBE-SVC-ABCDEF0123456789 -m comment --comment "default/web:http -> 10.244.2.6:80" -j KUBE-SEP-BBBBBBBBBBBBBBBB
            -A KUBE-SEP-AAAAAAAAAAAAAAAA -s 10.244.1.5/32 -m comment --comment default/web:http -j KUBE-MARK-MASQ
            -A KUBE-SEP-AAAAAAAAAAAAAAAA -m comment --comment default/web:http -m recent --name KUBE-SEP-AAAAAAAAAAAAAAAA --set -p tcp -m tcp -j DNAT --to-destination 10.244.1.5:80
            -A KUBE-SEP-BBBBBBBBBBBBBBBB -p tcp -m comment --comment default/web:http -m tcp -j DNAT --to-destination 10.244.2.6:80
            COMMIT

            """, None);

        var filter = Rules(await iptables.SaveAsync("filter", None));
        Assert.Contains("-A KUBE-SERVICES -d 10.96.0.20/32 -p tcp -m comment --comment \"default/empty:http has no endpoints\" -m tcp --dport 80 -j REJECT --reject-with icmp-port-unreachable", filter);

        var nat = Rules(await iptables.SaveAsync("nat", None));
        string[] expected =
        [
            "-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN",
            // MARK's --xor-mark and --or-mark come back as --set-xmark VALUE/MASK.
            "-A KUBE-POSTROUTING -j MARK --set-xmark 0x4000/0x0",
            "-A KUBE-POSTROUTING -m comment --comment \"kubernetes service traffic requiring SNAT\" -j MASQUERADE --random-fully",
            "-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000",
            "-A KUBE-SERVICES -d 10.96.0.10/32 -p tcp -m comment --comment \"default/web:http cluster IP\" -m tcp --dport 80 -j KUBE-SVC-ABCDEF0123456789",
            "-A KUBE-SERVICES -m comment --comment \"kubernetes service nodeports; NOTE: this must be the last rule in this chain\" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS",
            "-A KUBE-NODEPORTS -p tcp -m comment --comment \"default/web:http\" -m tcp --dport 30080 -j KUBE-SVC-ABCDEF0123456789",
            "-A KUBE-SVC-ABCDEF0123456789 ! -s 10.244.0.0/16 -d 10.96.0.10/32 -p tcp -m comment --comment \"default/web:http cluster IP\" -m tcp --dport 80 -j KUBE-MARK-MASQ",
            // recent's options come back in a fixed order, with the default mask and --rsource spelled out.
            "-A KUBE-SVC-ABCDEF0123456789 -m comment --comment \"default/web:http\" -m recent --rcheck --seconds 10800 --reap --name KUBE-SEP-AAAAAAAAAAAAAAAA --mask 255.255.255.255 --rsource -j KUBE-SEP-AAAAAAAAAAAAAAAA",
            // statistic prints the probability with 11 decimals.
            "-A KUBE-SVC-ABCDEF0123456789 -m comment --comment \"default/web:http -> 10.244.1.5:80\" -m statistic --mode random --probability 0.50000000000 -j KUBE-SEP-AAAAAAAAAAAAAAAA",
            "-A KUBE-SVC-ABCDEF0123456789 -m comment --comment \"default/web:http -> 10.244.2.6:80\" -j KUBE-SEP-BBBBBBBBBBBBBBBB",
            // A comment comes back quoted unless it is all letters and digits; -p moves before the matches.
            "-A KUBE-SEP-AAAAAAAAAAAAAAAA -s 10.244.1.5/32 -m comment --comment \"default/web:http\" -j KUBE-MARK-MASQ",
            "-A KUBE-SEP-AAAAAAAAAAAAAAAA -p tcp -m comment --comment \"default/web:http\" -m recent --set --name KUBE-SEP-AAAAAAAAAAAAAAAA --mask 255.255.255.255 --rsource -m tcp -j DNAT --to-destination 10.244.1.5:80",
            "-A KUBE-SEP-BBBBBBBBBBBBBBBB -p tcp -m comment --comment \"default/web:http\" -m tcp -j DNAT --to-destination 10.244.2.6:80",
        ];
        Assert.All(expected, line => Assert.Contains(line, nat));
    }

    [Fact]
    public async Task Restore_leaves_chains_it_does_not_declare_untouched()
    {
        await using var ns = await NetNs.CreateAsync("nvp");
        var iptables = Cli(ns);
        await ns.ExecAsync("iptables", "-t", "nat", "-N", "CNI-HOSTPORT-DNAT");
        await ns.ExecAsync("iptables", "-t", "nat", "-A", "CNI-HOSTPORT-DNAT", "-p", "tcp", "--dport", "8080", "-j", "DNAT", "--to-destination", "10.244.1.9:80");
        await ns.ExecAsync("iptables", "-t", "nat", "-A", "PREROUTING", "-m", "addrtype", "--dst-type", "LOCAL", "-j", "CNI-HOSTPORT-DNAT");
        var before = Rules(await iptables.SaveAsync("nat", None));

        await iptables.RestoreAsync(WalkthroughRules, None);

        var after = Rules(await iptables.SaveAsync("nat", None));
        Assert.Contains(":CNI-HOSTPORT-DNAT - [0:0]", after);
        Assert.Contains("-A CNI-HOSTPORT-DNAT -p tcp -m tcp --dport 8080 -j DNAT --to-destination 10.244.1.9:80", after);
        Assert.Contains("-A PREROUTING -m addrtype --dst-type LOCAL -j CNI-HOSTPORT-DNAT", after);
        Assert.All(before, line => Assert.Contains(line, after));
    }

    [Fact]
    public async Task Restoring_a_declared_chain_again_replaces_its_rules()
    {
        await using var ns = await NetNs.CreateAsync("nvp");
        var iptables = Cli(ns);
        await iptables.RestoreAsync(WalkthroughRules, None);

        await iptables.RestoreAsync($"""
            *nat
            :KUBE-PORTALS-CONTAINER - [0:0]
            -A KUBE-PORTALS-CONTAINER -d 192.168.3.85/32 -p tcp -m comment --comment {Comment} -m tcp --dport 8000 -j REDIRECT --to-ports 43982
            COMMIT

            """, None);

        var saved = Rules(await iptables.SaveAsync("nat", None));
        Assert.Equal(
            [$"-A KUBE-PORTALS-CONTAINER -d 192.168.3.85/32 -p tcp -m comment --comment {Comment} -m tcp --dport 8000 -j REDIRECT --to-ports 43982"],
            saved.Where(line => line.StartsWith("-A KUBE-PORTALS-CONTAINER ", StringComparison.Ordinal)));
        Assert.Single(saved, line => line.StartsWith("-A KUBE-PORTALS-HOST ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task EnsureRule_is_idempotent_and_prepend_puts_the_rule_first()
    {
        await using var ns = await NetNs.CreateAsync("nvp");
        var iptables = Cli(ns);
        await iptables.RestoreAsync(WalkthroughRules, None);
        await ns.ExecAsync("iptables", "-t", "nat", "-A", "PREROUTING", "-p", "udp", "-j", "RETURN");

        for (var i = 0; i < 2; i++)
        {
            await iptables.EnsureRuleAsync("nat", "PREROUTING", PortalsContainerJump, prepend: true, None);
            await iptables.EnsureRuleAsync("nat", "PREROUTING", NodePortContainerJump, prepend: false, None);
        }

        var prerouting = Rules(await iptables.SaveAsync("nat", None)).Where(line => line.StartsWith("-A PREROUTING ", StringComparison.Ordinal));
        Assert.Equal(
            [
                "-A PREROUTING -m comment --comment \"handle ClusterIPs; NOTE: this must be before the NodePort rules\" -j KUBE-PORTALS-CONTAINER",
                "-A PREROUTING -p udp -j RETURN",
                "-A PREROUTING -m addrtype --dst-type LOCAL -m comment --comment \"handle service NodePorts; NOTE: this must be the last rule in the chain\" -j KUBE-NODEPORT-CONTAINER",
            ],
            prerouting);
    }

    [Fact]
    public async Task EnsureRule_into_a_missing_chain_throws_with_iptables_message()
    {
        await using var ns = await NetNs.CreateAsync("nvp");
        var iptables = Cli(ns);

        var error = await Assert.ThrowsAsync<IptablesException>(() =>
            iptables.EnsureRuleAsync("nat", "KUBE-NOT-THERE", ["-j", "RETURN"], prepend: true, None));

        Assert.Contains("iptables -w 5 -t nat -I KUBE-NOT-THERE 1 -j RETURN", error.Message);
        Assert.Contains("No chain/target/match by that name", error.Message);
        Assert.Equal(1, error.ExitCode);
    }

    [Fact]
    public async Task DeleteRule_removes_every_copy_and_tolerates_absence()
    {
        await using var ns = await NetNs.CreateAsync("nvp");
        var iptables = Cli(ns);
        await iptables.RestoreAsync(WalkthroughRules, None);
        for (var i = 0; i < 3; i++) await ns.ExecAsync("iptables", ["-t", "nat", "-A", "PREROUTING", .. PortalsContainerJump]);
        await ns.ExecAsync("iptables", "-t", "nat", "-A", "PREROUTING", "-p", "udp", "-j", "RETURN");

        await iptables.DeleteRuleAsync("nat", "PREROUTING", PortalsContainerJump, None);
        await iptables.DeleteRuleAsync("nat", "PREROUTING", PortalsContainerJump, None);
        await iptables.DeleteRuleAsync("nat", "KUBE-NOT-THERE", PortalsContainerJump, None);

        var prerouting = Rules(await iptables.SaveAsync("nat", None)).Where(line => line.StartsWith("-A PREROUTING ", StringComparison.Ordinal));
        Assert.Equal(["-A PREROUTING -p udp -j RETURN"], prerouting);
    }

    [Theory]
    [InlineData("-A KUBE-PORTALS-HOST -p tcp -j DNAT --to-destination [fd00::1]:80", "Invalid address format")] // parse error
    [InlineData("-A KUBE-PORTALS-HOST -p tcp -m tcp --dport 81 -j REJECT", "RULE_APPEND failed")] // the kernel refuses REJECT in nat
    [InlineData("-A KUBE-PORTALS-HOST -m nosuchmatch -j RETURN", "Couldn't load match `nosuchmatch'")]
    public async Task A_bad_ruleset_throws_naming_its_line_and_changes_nothing(string badLine, string stderrFragment)
    {
        await using var ns = await NetNs.CreateAsync("nvp");
        var iptables = Cli(ns);
        await iptables.RestoreAsync(WalkthroughRules, None);
        var before = Rules(await iptables.SaveAsync("nat", None));

        var error = await Assert.ThrowsAsync<IptablesException>(() => iptables.RestoreAsync($"""
            *nat
            :KUBE-PORTALS-HOST - [0:0]
            :KUBE-NEW - [0:0]
            -A KUBE-NEW -j RETURN
            {badLine}
            COMMIT

            """, None));

        Assert.Equal(5, error.InputLineNumber);
        Assert.StartsWith("nsenter --net=" + ns.Path + " iptables-restore --noflush -w 5 failed with exit code ", error.Message);
        Assert.Contains(stderrFragment, error.Message);
        Assert.EndsWith($"(input line 5: {badLine})", error.Message);
        Assert.Equal(before, Rules(await iptables.SaveAsync("nat", None)));
    }

    [Fact]
    public async Task A_missing_binary_throws_a_clear_exception()
    {
        await using var ns = await NetNs.CreateAsync("nvp");
        var inNamespace = new IptablesCli(Prefix(ns), IptablesCli.DefaultTimeout, "navarch-no-iptables", "navarch-no-iptables-restore", "navarch-no-iptables-save");
        // Nothing can run without a prefix either: the programs do not exist.
        var direct = new IptablesCli(null, IptablesCli.DefaultTimeout, "navarch-no-iptables", "navarch-no-iptables-restore", "navarch-no-iptables-save");

        foreach (var iptables in new[] { inNamespace, direct })
        {
            var restore = await Assert.ThrowsAsync<IptablesException>(() => iptables.RestoreAsync(WalkthroughRules, None));
            Assert.StartsWith("navarch-no-iptables-restore not found: install the iptables package", restore.Message);
            var save = await Assert.ThrowsAsync<IptablesException>(() => iptables.SaveAsync("nat", None));
            Assert.StartsWith("navarch-no-iptables-save not found: install the iptables package", save.Message);
            var ensure = await Assert.ThrowsAsync<IptablesException>(() => iptables.EnsureRuleAsync("nat", "PREROUTING", ["-j", "RETURN"], prepend: false, None));
            Assert.StartsWith("navarch-no-iptables not found: install the iptables package", ensure.Message);
            var delete = await Assert.ThrowsAsync<IptablesException>(() => iptables.DeleteRuleAsync("nat", "PREROUTING", ["-j", "RETURN"], None));
            Assert.StartsWith("navarch-no-iptables not found: install the iptables package", delete.Message);
        }
    }

    [Fact]
    public async Task A_prefix_that_cannot_enter_the_namespace_is_an_error_not_an_absent_rule()
    {
        var iptables = new IptablesCli(["nsenter", "--net=/run/netns/navarch-no-such-netns"]);

        var error = await Assert.ThrowsAsync<IptablesException>(() => iptables.DeleteRuleAsync("nat", "PREROUTING", ["-j", "RETURN"], None));

        Assert.Contains("nsenter: cannot open /run/netns/navarch-no-such-netns", error.Message);
    }

    [Fact]
    public async Task A_command_that_outlives_the_timeout_is_killed_and_reported()
    {
        // The prefix runs a shell that only sleeps; the iptables arguments after it are ignored.
        var iptables = new IptablesCli(["sh", "-c", "sleep 30", "sh"], TimeSpan.FromMilliseconds(300));
        var clock = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<IptablesException>(() => iptables.SaveAsync("nat", None));

        Assert.Equal("sh -c \"sleep 30\" sh iptables-save -t nat timed out after 0.3 s and was killed", error.Message);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"returned after {clock.Elapsed}, not at the timeout");
    }

    [Fact]
    public async Task Working_in_a_namespace_leaves_the_root_namespace_iptables_as_they_were()
    {
        var rootBefore = await RootSaveAsync();
        await using (var ns = await NetNs.CreateAsync("nvp"))
        {
            var iptables = Cli(ns);
            await iptables.RestoreAsync(WalkthroughRules, None);
            foreach (var jump in PortalRules.Jumps) await iptables.EnsureRuleAsync(jump.Table, jump.Chain, jump.Rule, jump.Prepend, None);
            await iptables.RestoreAsync("*nat\n:CNI-HOSTPORT-DNAT - [0:0]\n-A CNI-HOSTPORT-DNAT -p tcp -m tcp --dport 8080 -j DNAT --to-destination 10.244.1.9:80\nCOMMIT\n", None);

            // The real cleanup (what `navarch agent --cleanup` runs): jumps first, then the chains of both modes.
            await ProxyCleanup.RemoveAllAsync(iptables, None);
            var nat = await iptables.SaveAsync("nat", None);
            Assert.DoesNotContain("KUBE-", nat);
            Assert.Contains("-A CNI-HOSTPORT-DNAT -p tcp -m tcp --dport 8080 -j DNAT --to-destination 10.244.1.9:80", nat);
            Assert.DoesNotContain("KUBE-", await iptables.SaveAsync("filter", None));
        }

        // Byte for byte, except the "# Generated/Completed ... on DATE" lines, whose clock moves between the reads.
        Assert.Equal(WithoutTimestamps(rootBefore), WithoutTimestamps(await RootSaveAsync()));
    }

    private static async Task<bool> ChainExistsAsync(IptablesCli iptables, string chain) =>
        ProxyCleanup.ChainNamesIn(await iptables.SaveAsync("nat", None)).Contains(chain);

    private static string[] Prefix(NetNs ns) => ["nsenter", "--net=" + ns.Path];

    private static IptablesCli Cli(NetNs ns) => new(Prefix(ns));

    /// <summary>The lines of <c>iptables-save</c> output without its timestamped comments.</summary>
    private static string[] Rules(string saved) =>
        saved.Split('\n').Where(line => line.Length > 0 && !line.StartsWith('#')).ToArray();

    private static string WithoutTimestamps(string saved) =>
        string.Join('\n', saved.Split('\n').Where(line => !line.StartsWith("# Generated by ", StringComparison.Ordinal) && !line.StartsWith("# Completed on ", StringComparison.Ordinal)));

    /// <summary>Plain <c>iptables-save</c> in the root namespace: reading only.</summary>
    private static async Task<string> RootSaveAsync()
    {
        using var process = Process.Start(new ProcessStartInfo("iptables-save") { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"iptables-save in the root namespace failed: {await stderr}");
        return await stdout;
    }
}
