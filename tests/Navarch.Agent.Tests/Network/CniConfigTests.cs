using System.Text.Json;
using Navarch.Agent.Network;

namespace Navarch.Agent.Tests.Network;

[Trait("Category", "Unit")]
public sealed class CniConfigTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("navarch-cni-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Renders_bridge_host_local_and_portmap_over_the_pod_cidr()
    {
        using var doc = JsonDocument.Parse(CniConfig.Render("10.244.1.0/24", "lab-node1"));
        var root = doc.RootElement;
        Assert.Equal("1.0.0", root.GetProperty("cniVersion").GetString());
        Assert.Equal("lab-node1", root.GetProperty("name").GetString());
        var plugins = root.GetProperty("plugins").EnumerateArray().ToList();
        Assert.Equal(["bridge", "portmap"], plugins.Select(p => p.GetProperty("type").GetString()));

        var bridge = plugins[0];
        Assert.Equal("cbr0", bridge.GetProperty("bridge").GetString());
        Assert.True(bridge.GetProperty("isGateway").GetBoolean());
        Assert.False(bridge.GetProperty("ipMasq").GetBoolean());
        Assert.True(bridge.GetProperty("hairpinMode").GetBoolean());
        var ipam = bridge.GetProperty("ipam");
        Assert.Equal("host-local", ipam.GetProperty("type").GetString());
        Assert.Equal("10.244.1.0/24", ipam.GetProperty("ranges")[0][0].GetProperty("subnet").GetString());
        Assert.Equal("0.0.0.0/0", ipam.GetProperty("routes")[0].GetProperty("dst").GetString());
        Assert.False(ipam.TryGetProperty("dataDir", out _));

        Assert.True(plugins[1].GetProperty("capabilities").GetProperty("portMappings").GetBoolean());
    }

    [Fact]
    public void Ipam_data_dir_is_written_when_given()
    {
        using var doc = JsonDocument.Parse(CniConfig.Render("172.16.3.0/24", ipamDataDir: "/var/lib/navarch/cni"));
        var ipam = doc.RootElement.GetProperty("plugins")[0].GetProperty("ipam");
        Assert.Equal("/var/lib/navarch/cni", ipam.GetProperty("dataDir").GetString());
        Assert.Equal(CniConfig.DefaultNetworkName, doc.RootElement.GetProperty("name").GetString());
    }

    [Theory]
    [InlineData("not-a-cidr")]
    [InlineData("10.244.1.7/24")]
    [InlineData("fd00::/64")]
    [InlineData("")]
    public void Rejects_what_is_not_an_ipv4_network(string cidr) =>
        Assert.Throws<ArgumentException>(() => CniConfig.Render(cidr));

    [Fact]
    public void Write_is_atomic_and_idempotent()
    {
        var conf = Path.Combine(_dir, "net.d");
        Assert.True(CniConfig.Write(conf, "10.244.0.0/24"));
        var path = Path.Combine(conf, CniConfig.FileName);
        var first = File.GetLastWriteTimeUtc(path);
        Assert.False(CniConfig.Write(conf, "10.244.0.0/24"));
        Assert.Equal(first, File.GetLastWriteTimeUtc(path));
        Assert.Equal([CniConfig.FileName], Directory.GetFiles(conf).Select(Path.GetFileName));

        Assert.True(CniConfig.Write(conf, "10.244.9.0/24"));
        Assert.Contains("10.244.9.0/24", File.ReadAllText(path));
        Assert.Equal([CniConfig.FileName], Directory.GetFiles(conf).Select(Path.GetFileName));
    }
}
