using System.Formats.Tar;
using System.Security.Cryptography;
using System.Text;
using Navarch.Images;

namespace Navarch.Agent.Tests.Images;

[Trait("Category", "Unit")]
public sealed class DockerArchiveWriterTests : IDisposable
{
    private const UnixFileMode SetUidExecutable = (UnixFileMode)0b100_111_101_101; // 4755
    private readonly string _scratch = Directory.CreateTempSubdirectory("navarch-archive-test-").FullName;

    private static readonly ImageConfig Config = new()
    {
        Entrypoint = ["/bin/app", "--serve"],
        Cmd = ["--port", "80"],
        Env = ["MODE=test"],
        WorkingDir = "/srv",
        ExposedPorts = ["80/tcp", "53/udp"],
        StopSignal = "SIGQUIT",
    };

    private static RootFs SampleTree()
    {
        var rootFs = new RootFs();
        rootFs.AddFile("/bin/app", Encoding.UTF8.GetBytes("#!/bin/sh\necho hi\n"), SetUidExecutable);
        rootFs.AddSymlink("/bin/sh", "busybox");
        rootFs.AddSymlink("/lib", "usr/lib");
        rootFs.AddDirectory("/tmp", (UnixFileMode)0b1_111_111_111);
        rootFs.AddFile("/usr/lib/libx.so", [1, 2, 3], RootFs.FileMode, uid: 33, gid: 4);
        rootFs.AddFile("/etc/app.conf", "key=value\n");
        return rootFs;
    }

    private byte[] Write(RootFs rootFs, string name = "app:1.0", ImageConfig? config = null)
    {
        using var output = new MemoryStream();
        DockerArchiveWriter.Write(ImageReference.Parse(name), config ?? Config, rootFs, output, _scratch);
        return output.ToArray();
    }

    [Fact]
    public void Manifest_names_the_config_the_layer_and_the_familiar_tag()
    {
        var archive = DockerArchive.Read(Write(SampleTree()));
        var manifest = Assert.Single(archive.Manifest.EnumerateArray());
        Assert.Equal(["app:1.0"], manifest.GetProperty("RepoTags").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(archive.ConfigBytes)) + ".json", archive.ConfigName);
    }

    [Fact]
    public void Diff_id_is_the_sha256_of_the_uncompressed_layer_and_names_its_folder()
    {
        var archive = DockerArchive.Read(Write(SampleTree()));
        var layerHex = Convert.ToHexStringLower(SHA256.HashData(archive.Layer));
        var rootfs = archive.Config.GetProperty("rootfs");
        Assert.Equal("layers", rootfs.GetProperty("type").GetString());
        Assert.Equal(["sha256:" + layerHex], rootfs.GetProperty("diff_ids").EnumerateArray().Select(d => d.GetString()));
        Assert.Equal($"{layerHex}/layer.tar", archive.LayerName);
    }

    [Fact]
    public void Config_carries_platform_and_runtime_settings()
    {
        var config = DockerArchive.Read(Write(SampleTree())).Config;
        Assert.Equal("amd64", config.GetProperty("architecture").GetString());
        Assert.Equal("linux", config.GetProperty("os").GetString());
        var runtime = config.GetProperty("config");
        Assert.Equal(["/bin/app", "--serve"], Strings(runtime, "Entrypoint"));
        Assert.Equal(["--port", "80"], Strings(runtime, "Cmd"));
        Assert.Equal([ImageConfig.DefaultPath, "MODE=test"], Strings(runtime, "Env"));
        Assert.Equal("/srv", runtime.GetProperty("WorkingDir").GetString());
        Assert.Equal("SIGQUIT", runtime.GetProperty("StopSignal").GetString());
        Assert.Equal(["53/udp", "80/tcp"], runtime.GetProperty("ExposedPorts").EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public void Empty_settings_are_left_out_and_a_given_PATH_is_kept()
    {
        var runtime = DockerArchive.Read(Write(SampleTree(), config: new ImageConfig { Env = ["PATH=/bin"] })).Config.GetProperty("config");
        Assert.Equal(["Env"], runtime.EnumerateObject().Select(p => p.Name));
        Assert.Equal(["PATH=/bin"], Strings(runtime, "Env"));
    }

    [Fact]
    public void Two_writes_of_the_same_inputs_are_byte_identical()
    {
        Assert.Equal(Write(SampleTree()), Write(SampleTree()));
    }

    [Fact]
    public void A_different_name_changes_only_the_manifest()
    {
        var a = DockerArchive.Read(Write(SampleTree(), "app:1.0"));
        var b = DockerArchive.Read(Write(SampleTree(), "app:2.0"));
        Assert.Equal(a.ConfigName, b.ConfigName);
        Assert.Equal(a.Layer, b.Layer);
    }

    [Fact]
    public void Layer_lists_parents_before_children_with_modes_owners_and_symlinks_preserved()
    {
        var entries = DockerArchive.Read(Write(SampleTree())).LayerEntries();
        var names = entries.Select(e => e.Name.TrimEnd('/')).ToList();
        Assert.Equal(["bin", "bin/app", "bin/sh", "etc", "etc/app.conf", "lib", "tmp", "usr", "usr/lib", "usr/lib/libx.so"], names);

        var byName = entries.ToDictionary(e => e.Name.TrimEnd('/'));
        Assert.Equal(SetUidExecutable, byName["bin/app"].Mode);
        Assert.Equal(TarEntryType.SymbolicLink, byName["bin/sh"].EntryType);
        Assert.Equal("busybox", byName["bin/sh"].LinkName);
        Assert.Equal("usr/lib", byName["lib"].LinkName);
        Assert.Equal(TarEntryType.Directory, byName["tmp"].EntryType);
        Assert.Equal((UnixFileMode)0b1_111_111_111, byName["tmp"].Mode);
        Assert.Equal(RootFs.DirectoryMode, byName["usr"].Mode);
        Assert.Equal((33, 4), (byName["usr/lib/libx.so"].Uid, byName["usr/lib/libx.so"].Gid));
        Assert.All(entries, e => Assert.Equal(DateTimeOffset.UnixEpoch, e.ModificationTime));

        using var content = new StreamReader(byName["etc/app.conf"].DataStream!);
        Assert.Equal("key=value\n", content.ReadToEnd());
    }

    [Fact]
    public void Staged_layer_files_are_removed()
    {
        Write(SampleTree());
        Assert.Empty(Directory.EnumerateFileSystemEntries(_scratch));
    }

    private static IEnumerable<string?> Strings(System.Text.Json.JsonElement parent, string name) =>
        parent.GetProperty(name).EnumerateArray().Select(e => e.GetString());

    public void Dispose() => Directory.Delete(_scratch, recursive: true);
}
