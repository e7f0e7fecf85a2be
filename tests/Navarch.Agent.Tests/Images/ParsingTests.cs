using Navarch.Images;

namespace Navarch.Agent.Tests.Images;

/// <summary>What the image code reads from ldd, dpkg and ctr, and what it accepts as config.</summary>
[Trait("Category", "Unit")]
public sealed class ParsingTests
{
    private const string NginxLdd = """
        	linux-vdso.so.1 (0x00007ff8e43f4000)
        	libcrypt.so.1 => /lib/x86_64-linux-gnu/libcrypt.so.1 (0x00007ff8e4252000)
        	libz.so.1 => /lib/x86_64-linux-gnu/libz.so.1 (0x00007ff8e40f0000)
        	/lib64/ld-linux-x86-64.so.2 (0x00007ff8e43f6000)
        """;

    [Fact]
    public void Ldd_output_gives_library_paths_and_the_loader_but_not_the_vdso() =>
        Assert.Equal(["/lib/x86_64-linux-gnu/libcrypt.so.1", "/lib/x86_64-linux-gnu/libz.so.1", "/lib64/ld-linux-x86-64.so.2"],
            SharedLibraries.Parse("/usr/sbin/nginx", NginxLdd));

    [Fact]
    public void Ldd_statically_linked_gives_nothing() =>
        Assert.Empty(SharedLibraries.Parse("/bin/busybox", "\tstatically linked\n"));

    [Fact]
    public void A_library_ldd_cannot_find_is_an_error_naming_it()
    {
        var e = Assert.Throws<ImageException>(() => SharedLibraries.Parse("/usr/bin/x", "\tlibgone.so.3 => not found\n"));
        Assert.Contains("libgone.so.3", e.Message);
    }

    [Theory]
    [InlineData("libc6 (>= 2.34), libssl3 (>= 3.0.0)", new[] { "libc6", "libssl3" })]
    [InlineData("debconf (>= 0.5) | debconf-2.0", new[] { "debconf", "debconf-2.0" })]
    [InlineData(", nginx-common (<< 1.22.1.1~), nginx-common (>= 1.22.1)", new[] { "nginx-common" })]
    [InlineData("python3:any, foo [amd64]", new[] { "python3", "foo" })]
    public void Dependency_names_drop_versions_alternatives_and_architectures(string depends, string[] expected) =>
        Assert.Equal(expected, DebianPackages.DependencyNames(depends));

    [Fact]
    public void Ctr_import_output_gives_the_image_names() =>
        Assert.Equal(["docker.io/library/nginx:latest", "docker.io/navarch/pause:3.9"], ImageImporter.ParseImported(
            "unpacking docker.io/library/nginx:latest (sha256:878e)...done\nunpacking docker.io/navarch/pause:3.9 (sha256:47da)...done\n"));

    [Fact]
    public void A_missing_socket_is_a_one_line_error()
    {
        var e = Assert.Throws<ImageException>(() => ImageImporter.SocketPath("unix:///nonexistent/containerd.sock"));
        Assert.Equal("containerd socket /nonexistent/containerd.sock not found: is containerd running?", e.Message);
    }

    [Theory]
    [InlineData("80/tcp", true)]
    [InlineData("53/udp", true)]
    [InlineData("80", false)]
    [InlineData("0/tcp", false)]
    [InlineData("80/icmp", false)]
    public void Exposed_ports_must_be_port_slash_protocol(string port, bool valid)
    {
        var config = new ImageConfig { ExposedPorts = [port] };
        if (valid) config.Validate();
        else Assert.Contains(port, Assert.Throws<ArgumentException>(config.Validate).Message);
    }

    [Fact]
    public void Env_entries_need_an_equals_sign() =>
        Assert.Contains("KEY=VALUE", Assert.Throws<ArgumentException>(new ImageConfig { Env = ["JUSTKEY"] }.Validate).Message);
}
