using Navarch.Lab.Config;

namespace Navarch.Lab.Tests;

[Trait("Category", "Unit")]
public sealed class LabConfigParserTests
{
    private const string Seed = """
        export nodes="gongysh@192.168.0.201 gongysh@192.168.0.202 gongysh@192.168.0.203"
        export roles=("ai" "i" "i")          # a = master, i = node
        export NUM_MINIONS=${NUM_MINIONS:-3}
        export SERVICE_CLUSTER_IP_RANGE=192.168.3.0/24   # virtual IPs
        export FLANNEL_NET=172.16.0.0/16
        """;

    private static readonly Dictionary<string, string> NoEnvironment = [];

    [Fact]
    public void The_seed_config_gives_the_walkthrough_cluster()
    {
        var config = LabConfigParser.Parse(Seed, NoEnvironment);

        Assert.Equal(["192.168.0.201", "192.168.0.202", "192.168.0.203"], config.Nodes.Select(n => n.Name));
        Assert.Equal(["ai", "i", "i"], config.Nodes.Select(n => n.Role));
        Assert.Equal("gongysh", config.Nodes[0].User);
        Assert.Equal("192.168.0.201", config.Master.Name);
        Assert.Equal(3, config.AgentNodes.Count());
        Assert.Equal("192.168.3.0/24", config.ServiceClusterIpRange.ToString());
        Assert.Equal("172.16.0.0/16", config.FlannelNet.ToString());
    }

    [Fact]
    public void Two_or_three_masters_are_a_highly_available_control_plane_and_the_first_is_the_primary()
    {
        var config = LabConfigParser.Parse(Replace("(\"ai\" \"i\" \"i\")", "(\"ai\" \"ai\" \"i\")"), NoEnvironment);

        Assert.Equal(["192.168.0.201", "192.168.0.202"], config.Masters.Select(n => n.Name));
        Assert.Equal("192.168.0.201", config.Master.Name);
        Assert.Equal(3, config.AgentNodes.Count());
    }

    [Fact]
    public void The_shipped_default_config_is_the_seed()
    {
        var (text, _) = LabConfigParser.DefaultConfig(AppContext.BaseDirectory);
        var config = LabConfigParser.Parse(text, NoEnvironment);

        Assert.Equal(["192.168.0.201", "192.168.0.202", "192.168.0.203"], config.Nodes.Select(n => n.Name));
        Assert.Equal("192.168.3.0/24", config.ServiceClusterIpRange.ToString());
    }

    [Fact]
    public void NUM_MINIONS_from_the_environment_overrides_the_default_and_is_checked()
    {
        var e = Assert.Throws<LabConfigException>(() => LabConfigParser.Parse(Seed, new Dictionary<string, string> { ["NUM_MINIONS"] = "2" }));
        Assert.Equal("NUM_MINIONS is 2 but 3 nodes have the node role \"i\"", e.Message);
    }

    [Theory]
    [InlineData("single quotes and no export", "nodes='u@10.0.0.1 u@10.0.0.2'\nroles=(ai i)\nSERVICE_CLUSTER_IP_RANGE=10.1.0.0/24\nFLANNEL_NET=10.2.0.0/16", 2)]
    [InlineData("roles as a string, nodes without user", "nodes=\"10.0.0.1\"\nroles=\"ai\"\nSERVICE_CLUSTER_IP_RANGE=10.1.0.0/24\nFLANNEL_NET=10.2.0.0/16", 1)]
    [InlineData("array over lines, other lines ignored", "if [ -z \"$X\" ]; then echo hi; fi\nnodes=\"u@10.0.0.1 u@10.0.0.2\"\nroles=(\n  \"a\" # master only\n  \"i\"\n)\nNUM_MINIONS=1\nNET=10.2.0.0\nSERVICE_CLUSTER_IP_RANGE=10.1.0.0/24\nFLANNEL_NET=${NET}/16", 2)]
    [InlineData("variables expand", "M=10.0.0.1\nnodes=\"u@$M u@10.0.0.9\"\nroles=(ai i)\nSERVICE_CLUSTER_IP_RANGE=${SR:-10.1.0.0/24}\nFLANNEL_NET=10.2.0.0/16", 2)]
    public void Shell_forms_parse(string _, string text, int nodes)
    {
        Assert.Equal(nodes, LabConfigParser.Parse(text, NoEnvironment).Nodes.Count);
    }

    public static TheoryData<string, string, string> Invalid => new()
    {
        { "nodes missing", Without("nodes"), "nodes is not set (want nodes=\"USER@IP …\")" },
        { "roles missing", Without("roles"), "roles is not set (want roles=(\"ai\" \"i\" …))" },
        { "fewer roles than nodes", Replace("(\"ai\" \"i\" \"i\")", "(\"ai\" \"i\")"), "roles has 2 entries but nodes has 3: give one role per node, in the same order" },
        { "unknown role", Replace("(\"ai\" \"i\" \"i\")", "(\"ai\" \"x\" \"i\")"), "role \"x\" of node 192.168.0.202 is not \"a\", \"i\" or \"ai\"" },
        { "no master", Replace("(\"ai\" \"i\" \"i\")", "(\"i\" \"i\" \"i\")"), "no node has the master role: one to three roles must be \"a\" or \"ai\"" },
        { "four masters", "nodes=\"u@10.0.0.1 u@10.0.0.2 u@10.0.0.3 u@10.0.0.4\"\nroles=(ai ai a a)\nSERVICE_CLUSTER_IP_RANGE=10.1.0.0/24\nFLANNEL_NET=10.2.0.0/16",
            "4 nodes have the master role: at most 3 roles may be \"a\" or \"ai\" (one etcd member each)" },
        { "no node role", "nodes=\"10.0.0.1\"\nroles=(a)\nSERVICE_CLUSTER_IP_RANGE=10.1.0.0/24\nFLANNEL_NET=10.2.0.0/16", "no node has the node role \"i\": nothing could run pods" },
        { "NUM_MINIONS mismatch", Replace("${NUM_MINIONS:-3}", "2"), "NUM_MINIONS is 2 but 3 nodes have the node role \"i\"" },
        { "NUM_MINIONS not a number", Replace("${NUM_MINIONS:-3}", "three"), "NUM_MINIONS \"three\" is not a number" },
        { "bad address", Replace("gongysh@192.168.0.202", "gongysh@192.168.0.300"), "node \"gongysh@192.168.0.300\" is not USER@IPV4 (e.g. user@192.168.0.201)" },
        { "host name instead of address", Replace("gongysh@192.168.0.202", "gongysh@node2"), "node \"gongysh@node2\" is not USER@IPV4 (e.g. user@192.168.0.201)" },
        { "duplicate address", Replace("gongysh@192.168.0.202", "gongysh@192.168.0.201"), "node address 192.168.0.201 appears twice in nodes" },
        { "nodes on two subnets", Replace("gongysh@192.168.0.203", "gongysh@192.168.1.203"), "node 192.168.1.203 is not in 192.168.0.0/24: the lab's nodes share one /24 switch" },
        { "service range missing", Without("SERVICE_CLUSTER_IP_RANGE"), "SERVICE_CLUSTER_IP_RANGE is not set" },
        { "service range not a CIDR", Replace("192.168.3.0/24", "192.168.3.0"), "SERVICE_CLUSTER_IP_RANGE \"192.168.3.0\" is not an IPv4 CIDR" },
        { "flannel net missing", Without("FLANNEL_NET"), "FLANNEL_NET is not set" },
        { "flannel net not a CIDR", Replace("172.16.0.0/16", "172.16.0.0/99"), "FLANNEL_NET \"172.16.0.0/99\" is not an IPv4 CIDR" },
        { "service range overlaps flannel", Replace("192.168.3.0/24", "172.16.3.0/24"), "SERVICE_CLUSTER_IP_RANGE 172.16.3.0/24 overlaps FLANNEL_NET 172.16.0.0/16: they must be disjoint" },
        { "service range holds the nodes", Replace("192.168.3.0/24", "192.168.0.0/16"), "node 192.168.0.201 lies inside SERVICE_CLUSTER_IP_RANGE 192.168.0.0/16" },
        { "flannel net holds the nodes", Replace("172.16.0.0/16", "192.168.0.0/24"), "node 192.168.0.201 lies inside FLANNEL_NET 192.168.0.0/24" },
        { "flannel net too small", Replace("172.16.0.0/16", "172.16.0.0/25"), "FLANNEL_NET 172.16.0.0/25 has no room for 3 node subnets of /24" },
        { "command substitution", Replace("${NUM_MINIONS:-3}", "$(nproc)"), "line 3: command substitution is not supported in the lab's config" },
        { "unterminated quote", Replace("192.168.0.203\"", "192.168.0.203"), "line 2: unterminated \" quote" },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Invalid_configs_fail_with_one_line(string _, string text, string message)
    {
        var e = Assert.Throws<LabConfigException>(() => LabConfigParser.Parse(text, NoEnvironment));
        Assert.Equal(message, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Load_names_the_file()
    {
        var e = Assert.Throws<LabConfigException>(() => LabConfigParser.Load("/nonexistent/config.sh"));
        Assert.StartsWith("/nonexistent/config.sh: ", e.Message);
    }

    private static string Replace(string old, string replacement) => Seed.Replace(old, replacement, StringComparison.Ordinal);

    private static string Without(string name) =>
        string.Join('\n', Seed.Split('\n').Where(l => !l.StartsWith($"export {name}=", StringComparison.Ordinal)));
}
