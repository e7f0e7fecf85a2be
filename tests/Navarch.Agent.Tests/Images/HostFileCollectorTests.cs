using Navarch.Images;

namespace Navarch.Agent.Tests.Images;

[Trait("Category", "Unit")]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class HostFileCollectorTests : IDisposable
{
    private const UnixFileMode SetUidExecutable = (UnixFileMode)0b100_111_101_101; // 4755
    private readonly string _host = Directory.CreateTempSubdirectory("navarch-collector-test-").FullName;

    public HostFileCollectorTests()
    {
        // A miniature merged-/usr host: lib -> usr/lib, a versioned library behind a relative symlink.
        Directory.CreateDirectory(Path.Combine(_host, "usr/lib"));
        File.WriteAllText(Path.Combine(_host, "usr/lib/libz.so.1.2"), "elfish");
        File.CreateSymbolicLink(Path.Combine(_host, "usr/lib/libz.so.1"), "libz.so.1.2");
        File.CreateSymbolicLink(Path.Combine(_host, "lib"), "usr/lib");
        Directory.CreateDirectory(Path.Combine(_host, "sbin"));
        File.WriteAllText(Path.Combine(_host, "sbin/tool"), "#!/bin/sh\n");
        File.SetUnixFileMode(Path.Combine(_host, "sbin/tool"), SetUidExecutable);
        File.CreateSymbolicLink(Path.Combine(_host, "sbin/dangling"), "/dev/stdout");
    }

    private string Host(string path) => Path.Combine(_host, path);

    [Fact]
    public void A_path_through_a_symlinked_directory_keeps_the_link_and_copies_its_target()
    {
        var rootFs = new RootFs();
        Assert.True(new HostFileCollector(rootFs).AddPath(Host("lib/libz.so.1")));

        Assert.Equal(LayerEntryKind.Symlink, rootFs.Find(Host("lib"))!.Kind);
        Assert.Equal("usr/lib", rootFs.Find(Host("lib"))!.LinkTarget);
        Assert.Equal("libz.so.1.2", rootFs.Find(Host("usr/lib/libz.so.1"))!.LinkTarget);
        var file = rootFs.Find(Host("usr/lib/libz.so.1.2"))!;
        Assert.Equal(LayerEntryKind.File, file.Kind);
        Assert.Equal(Host("usr/lib/libz.so.1.2"), file.HostSource);
    }

    [Fact]
    public void Missing_paths_are_reported_and_dangling_links_kept()
    {
        var rootFs = new RootFs();
        var collector = new HostFileCollector(rootFs);
        Assert.False(collector.AddPath(Host("nope/file")));
        Assert.True(collector.AddPath(Host("sbin/dangling")));
        Assert.Equal("/dev/stdout", rootFs.Find(Host("sbin/dangling"))!.LinkTarget);
    }

    [Fact]
    public void A_tree_is_copied_under_the_image_root_with_modes_and_links()
    {
        var rootFs = new RootFs();
        new HostFileCollector(rootFs, keepOwners: false).AddTree(_host);

        Assert.Equal(["lib", "sbin", "sbin/dangling", "sbin/tool", "usr", "usr/lib", "usr/lib/libz.so.1", "usr/lib/libz.so.1.2"],
            rootFs.Entries.Select(e => e.Path));
        Assert.Equal(SetUidExecutable, rootFs.Find("sbin/tool")!.Mode);
        Assert.Equal("usr/lib", rootFs.Find("lib")!.LinkTarget);
        Assert.All(rootFs.Entries, e => Assert.Equal((0, 0), (e.Uid, e.Gid)));
    }

    [Fact]
    public void Elf_files_are_remembered_for_library_resolution()
    {
        var rootFs = new RootFs();
        var collector = new HostFileCollector(rootFs);
        File.WriteAllBytes(Host("sbin/elf"), [0x7f, (byte)'E', (byte)'L', (byte)'F', 2, 1]);
        collector.AddPath(Host("sbin/elf"));
        collector.AddPath(Host("sbin/tool"));
        Assert.Equal([Host("sbin/elf")], collector.ElfFiles);
    }

    [Theory]
    [InlineData("/usr/lib/../lib64/ld.so", "/usr/lib64/ld.so")]
    [InlineData("/a/./b//c/", "/a/b/c")]
    [InlineData("/../x", "/x")]
    [InlineData("/", "/")]
    public void Collapse_resolves_dots_lexically(string path, string expected) =>
        Assert.Equal(expected, HostFileCollector.Collapse(path));

    public void Dispose() => Directory.Delete(_host, recursive: true);
}
