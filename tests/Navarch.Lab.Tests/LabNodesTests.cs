using System.Net;
using Navarch.Lab.Config;

namespace Navarch.Lab.Tests;

/// <summary>A node added to a running lab is named, placed and started like the config's nodes; without a lab the command fails in one line.</summary>
public sealed class LabNodesTests
{
    private static readonly LabConfig Seed = LabConfigParser.Parse("""
        export nodes="gongysh@192.168.0.201 gongysh@192.168.0.202 gongysh@192.168.0.203"
        export roles=("ai" "i" "i")
        export NUM_MINIONS=3
        export SERVICE_CLUSTER_IP_RANGE=192.168.3.0/24
        export FLANNEL_NET=172.16.0.0/16
        """, new Dictionary<string, string>());

    [Fact, Trait("Category", "Unit")]
    public void An_added_node_is_named_and_placed_like_the_configs_nodes()
    {
        var state = LabLayout.Plan(Seed, new LabOptions { DataDir = "/var/lib/lab", NamespacePrefix = "nvl1", SelfCommand = ["navarch"] });
        var third = state.Nodes[2];

        var added = LabLayout.AddedNode(state, IPAddress.Parse("192.168.0.204"));

        Assert.Equal(("192.168.0.204", "nvl1-192-168-0-204", "veth204", "/var/lib/lab/nodes/192.168.0.204"), (added.Name, added.Namespace, added.SwitchPort, added.DataDir));
        Assert.Equal(("nvl1-192-168-0-203", "/var/lib/lab/nodes/192.168.0.203"), (third.Namespace, third.DataDir));
        Assert.True(added.RunsAgent);
        Assert.False(added.IsMaster);
    }

    [Fact, Trait("Category", "Unit")]
    public void Every_agent_gets_the_recorded_settings_and_its_own_name_address_and_data_dir()
    {
        var state = LabLayout.Plan(Seed, new LabOptions { DataDir = "/var/lib/lab", SelfCommand = ["navarch"] });
        var settings = new LabAgentSettings("http://192.168.0.201:8080", "iptables", "172.16.0.0/16", "192.168.3.10", "192.168.3.0/24");

        var args = settings.ArgumentsFor(LabLayout.AddedNode(state, IPAddress.Parse("192.168.0.204")));

        Assert.Equal(
            ["agent", "--server", "http://192.168.0.201:8080", "--node-name", "192.168.0.204", "--node-ip", "192.168.0.204", "--runtime", "containerd",
             "--data-dir", "/var/lib/lab/nodes/192.168.0.204", "--proxy-mode", "iptables", "--cluster-cidr", "172.16.0.0/16", "--cluster-dns", "192.168.3.10"],
            args);
    }

    [Theory, Trait("Category", "Integration")]
    [InlineData("add-node", "192.168.0.204")]
    [InlineData("remove-node", "192.168.0.203")]
    public async Task Without_a_lab_the_command_fails_in_one_line(string verb, string node)
    {
        var dir = Directory.CreateTempSubdirectory("navarch-lab-none-").FullName;
        try
        {
            var r = await LabE2ETests.NavarchAsync(["lab", verb, node, "--data-dir", dir], TimeSpan.FromSeconds(60));
            Assert.Equal(1, r.ExitCode);
            Assert.Equal($"navarch lab {verb}: no lab in {dir} (state.json does not exist): `navarch up` builds one", r.Stderr.Trim());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
