using Navarch.Agent.Containerd;
using Navarch.Cri;

namespace Navarch.Agent.Tests.Containerd;

[Trait("Category", "Unit")]
public sealed class ContainerdConfigTests
{
    private static readonly ContainerdOptions Options = new() { DataDir = "/var/lib/navarch/node-1", SandboxImage = "navarch.local/pause:1" };

    [Theory]
    [InlineData("config version 2", "version = 2")]
    [InlineData("own root", "root = \"/var/lib/navarch/node-1/containerd/root\"")]
    [InlineData("own state", "state = \"/var/lib/navarch/node-1/containerd/state\"")]
    [InlineData("own grpc socket", "address = \"/var/lib/navarch/node-1/containerd/containerd.sock\"")]
    [InlineData("own ttrpc socket", "address = \"/var/lib/navarch/node-1/containerd/containerd.sock.ttrpc\"")]
    [InlineData("own opt path", "path = \"/var/lib/navarch/node-1/containerd/opt\"")]
    [InlineData("own runc root", "Root = \"/var/lib/navarch/node-1/containerd/runc\"")]
    [InlineData("local pause image", "sandbox_image = \"navarch.local/pause:1\"")]
    [InlineData("no CAP_SYS_RESOURCE here", "restrict_oom_score_adj = true")]
    [InlineData("pod netns under the state dir", "netns_mounts_under_state_dir = true")]
    [InlineData("Debian's CNI plugins", "bin_dir = \"/usr/lib/cni\"")]
    [InlineData("per-agent CNI config", "conf_dir = \"/var/lib/navarch/node-1/containerd/cni\"")]
    [InlineData("runc v2 shim", "runtime_type = \"io.containerd.runc.v2\"")]
    [InlineData("unused snapshotters off", "\"io.containerd.snapshotter.v1.btrfs\"")]
    [InlineData("the chosen snapshotter", "snapshotter = \"native\"")]
    public void Renders_the_setting(string because, string line)
    {
        var text = ContainerdConfig.Render(Options.Paths(), Options, "native");
        Assert.True(text.Contains(line, StringComparison.Ordinal), $"{because}: expected \"{line}\" in\n{text}");
    }

    [Fact]
    public void Explicit_socket_and_cni_dir_win_over_the_defaults()
    {
        var options = Options with { Socket = "/run/n1.sock", CniConfDir = "/etc/navarch/cni" };
        var text = ContainerdConfig.Render(options.Paths(), options, "overlayfs");
        Assert.Contains("address = \"/run/n1.sock\"", text);
        Assert.Contains("conf_dir = \"/etc/navarch/cni\"", text);
    }

    [Theory]
    [InlineData("plain", "\"plain\"")]
    [InlineData("with \"quotes\"", "\"with \\\"quotes\\\"\"")]
    [InlineData(@"back\slash", "\"back\\\\slash\"")]
    public void Quotes_toml_strings(string value, string expected) => Assert.Equal(expected, ContainerdConfig.Quote(value));

    [Fact]
    public void A_data_dir_too_long_for_a_unix_socket_is_refused_naming_the_path()
    {
        var error = Assert.Throws<ArgumentException>(() => (Options with { DataDir = "/tmp/" + new string('d', 100) }).Paths());
        Assert.Contains("containerd.sock", error.Message);
    }

    [Theory]
    [InlineData("a shim of this containerd", "/usr/bin/containerd-shim-runc-v2 -namespace k8s.io -id abc -address /d/containerd.sock", true)]
    [InlineData("a shim of another containerd", "/usr/bin/containerd-shim-runc-v2 -namespace k8s.io -id abc -address /other.sock", false)]
    [InlineData("containerd itself", "containerd --config /d/config.toml -address /d/containerd.sock", false)]
    [InlineData("nothing", "", false)]
    public void Recognises_shims_by_their_address_argument(string because, string cmdline, bool expected) =>
        Assert.True(ShimReaper.IsShimOf(cmdline.Split(' ', StringSplitOptions.RemoveEmptyEntries), "/d/containerd.sock") == expected, because);
}
