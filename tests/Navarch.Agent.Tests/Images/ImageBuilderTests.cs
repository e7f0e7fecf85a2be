using Navarch.Images;

namespace Navarch.Agent.Tests.Images;

[Trait("Category", "Unit")]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class ImageBuilderTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("navarch-builder-test-").FullName;
    private string Source => Path.Combine(_root, "src");
    private static readonly ImageConfig Config = new() { Cmd = ["/hello"] };

    public ImageBuilderTests()
    {
        Directory.CreateDirectory(Path.Combine(Source, "etc"));
        File.WriteAllText(Path.Combine(Source, "hello"), "#!/bin/sh\necho hello\n");
        File.SetUnixFileMode(Path.Combine(Source, "hello"), RootFs.ExecutableMode);
        File.WriteAllText(Path.Combine(Source, "etc/motd"), "hi\n");
    }

    private ImageBuilder Builder(string cache) => new(Path.Combine(_root, cache));

    [Fact]
    public async Task A_directory_builds_the_same_bytes_in_two_caches()
    {
        var a = await Builder("cache-a").BuildFromDirectoryAsync("hello:1", Source, Config, CancellationToken.None);
        var b = await Builder("cache-b").BuildFromDirectoryAsync("hello:1", Source, Config, CancellationToken.None);
        Assert.Equal(await File.ReadAllBytesAsync(a), await File.ReadAllBytesAsync(b));
        var layer = DockerArchive.Read(File.OpenRead(a)).LayerEntries();
        Assert.Equal(["etc/", "etc/motd", "hello"], layer.Select(e => e.Name));
        Assert.Equal(RootFs.ExecutableMode, layer.Single(e => e.Name == "hello").Mode);
    }

    [Fact]
    public async Task Unchanged_inputs_reuse_the_cached_tarball()
    {
        var builder = Builder("cache");
        var first = await builder.BuildFromDirectoryAsync("hello:1", Source, Config, CancellationToken.None);
        var written = File.GetLastWriteTimeUtc(first);
        File.SetLastWriteTimeUtc(first, written.AddHours(-1)); // a rewrite would move it forward again
        var second = await builder.BuildFromDirectoryAsync("hello:1", Source, Config, CancellationToken.None);
        Assert.Equal(first, second);
        Assert.Equal(written.AddHours(-1), File.GetLastWriteTimeUtc(second));
        Assert.Single(Directory.EnumerateFiles(builder.CacheDirectory));
    }

    public static TheoryData<string, Action<string>> Changes => new()
    {
        { "a file's content", src => File.WriteAllText(Path.Combine(src, "etc/motd"), "bye, longer\n") },
        { "a file's mode", src => File.SetUnixFileMode(Path.Combine(src, "etc/motd"), RootFs.ExecutableMode) },
        { "a new file", src => File.WriteAllText(Path.Combine(src, "new"), "") },
        { "a new symlink", src => File.CreateSymbolicLink(Path.Combine(src, "link"), "hello") },
    };

    [Theory]
    [MemberData(nameof(Changes))]
    public async Task Changed_inputs_build_a_new_tarball(string change, Action<string> apply)
    {
        var builder = Builder("cache");
        var before = await builder.BuildFromDirectoryAsync("hello:1", Source, Config, CancellationToken.None);
        apply(Source);
        var after = await builder.BuildFromDirectoryAsync("hello:1", Source, Config, CancellationToken.None);
        Assert.True(before != after, $"{change} should change the cache key");
    }

    [Fact]
    public async Task A_different_config_builds_a_new_tarball()
    {
        var builder = Builder("cache");
        var before = await builder.BuildFromDirectoryAsync("hello:1", Source, Config, CancellationToken.None);
        var after = await builder.BuildFromDirectoryAsync("hello:1", Source, Config with { WorkingDir = "/etc" }, CancellationToken.None);
        Assert.NotEqual(before, after);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
