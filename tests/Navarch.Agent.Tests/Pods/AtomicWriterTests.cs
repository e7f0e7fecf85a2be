using System.Text;
using Microsoft.Extensions.Time.Testing;
using Navarch.Agent.Pods;

namespace Navarch.Agent.Tests.Pods;

/// <summary>The kubelet's AtomicWriter layout: timestamped data directory, <c>..data</c> swapped by rename, visible symlinks.</summary>
[Trait("Category", "Unit")]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class AtomicWriterTests : IDisposable
{
    private static readonly UnixFileMode Mode644 = (UnixFileMode)0b110_100_100;
    private readonly string _dir = Directory.CreateTempSubdirectory("navarch-atomic-").FullName;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 8, 0, 30, 12, TimeSpan.Zero));

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private AtomicWriter Writer => new(_dir, _time);

    private static Dictionary<string, FileProjection> Files(params (string Path, string Text, int Mode)[] files) =>
        files.ToDictionary(f => f.Path, f => new FileProjection(Encoding.UTF8.GetBytes(f.Text), (UnixFileMode)f.Mode));

    private string DataDir => new FileInfo(Path.Combine(_dir, AtomicWriter.DataLink)).LinkTarget!;

    [Fact]
    public void Files_live_in_a_timestamped_directory_behind_the_data_link_and_visible_symlinks()
    {
        Assert.True(Writer.Write(Files(("color", "blue", 0b110_100_100), ("conf/app.yaml", "a: 1", 0b100_000_000))));

        Assert.Matches(@"^\.\.2026_12_08_00_30_12\.[0-9]+$", DataDir);
        Assert.Equal(Path.Combine("..data", "color"), new FileInfo(Path.Combine(_dir, "color")).LinkTarget);
        Assert.Equal(Path.Combine("..data", "conf"), new FileInfo(Path.Combine(_dir, "conf")).LinkTarget);
        Assert.Equal("blue", File.ReadAllText(Path.Combine(_dir, "color")));
        Assert.Equal("a: 1", File.ReadAllText(Path.Combine(_dir, "conf", "app.yaml")));
        Assert.Equal(Mode644, File.GetUnixFileMode(Path.Combine(_dir, DataDir, "color")));
        Assert.Equal(UnixFileMode.UserRead, File.GetUnixFileMode(Path.Combine(_dir, DataDir, "conf", "app.yaml")));
        Assert.Equal(new[] { "..data", "color", "conf", DataDir }.Order(StringComparer.Ordinal), Directory.GetFileSystemEntries(_dir).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void An_update_swaps_the_data_link_removes_the_old_directory_and_names_that_went()
    {
        Writer.Write(Files(("color", "blue", 0b110_100_100), ("size", "xl", 0b110_100_100)));
        var first = DataDir;
        var opened = File.OpenHandle(Path.Combine(_dir, "color"));

        _time.Advance(TimeSpan.FromSeconds(61));
        Assert.True(Writer.Write(Files(("color", "green", 0b110_100_100), ("shape", "round", 0b110_100_100))));

        Assert.NotEqual(first, DataDir);
        Assert.Matches(@"^\.\.2026_12_08_00_31_13\.", DataDir);
        Assert.False(Directory.Exists(Path.Combine(_dir, first)));
        Assert.Equal("green", File.ReadAllText(Path.Combine(_dir, "color")));
        Assert.Equal("round", File.ReadAllText(Path.Combine(_dir, "shape")));
        Assert.False(Path.Exists(Path.Combine(_dir, "size")));
        Assert.Null(new FileInfo(Path.Combine(_dir, "size")).LinkTarget);
        Assert.False(Path.Exists(Path.Combine(_dir, "..data_tmp")));
        // A reader that had the old file open keeps reading the old content to its end.
        var old = new byte[4];
        Assert.Equal(4, RandomAccess.Read(opened, old, 0));
        Assert.Equal("blue", Encoding.UTF8.GetString(old));
        opened.Dispose();
    }

    [Fact]
    public void The_same_content_writes_nothing_while_a_changed_mode_rewrites()
    {
        Writer.Write(Files(("color", "blue", 0b110_100_100)));
        var first = DataDir;
        _time.Advance(TimeSpan.FromSeconds(5));

        Assert.False(Writer.Write(Files(("color", "blue", 0b110_100_100))));
        Assert.Equal(first, DataDir);

        Assert.True(Writer.Write(Files(("color", "blue", 0b110_000_000))));
        Assert.NotEqual(first, DataDir);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(_dir, "color")));
    }

    [Fact]
    public void An_empty_payload_leaves_an_empty_volume_and_leftovers_of_an_interrupted_write_go()
    {
        Directory.CreateDirectory(Path.Combine(_dir, "..2026_01_01_00_00_00.1"));
        Assert.True(Writer.Write(Files()));
        Assert.Equal(new[] { "..data", DataDir }.Order(StringComparer.Ordinal), Directory.GetFileSystemEntries(_dir).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(_dir, "..data") + "/"));
    }

    [Theory]
    [InlineData("../escape", "must not contain '..'")]
    [InlineData("a/../../escape", "must not contain '..'")]
    [InlineData("/etc/passwd", "must be a relative path")]
    [InlineData("..data", "must not start with '..'")]
    [InlineData("", "must not be empty")]
    public void Paths_that_would_leave_the_volume_or_touch_reserved_names_are_refused(string path, string why)
    {
        var e = Assert.Throws<VolumeException>(() => Writer.Write(Files((path, "x", 0b110_100_100))));
        Assert.Equal($"invalid path \"{path}\": {why}", e.Message);
        Assert.False(Path.Exists(Path.Combine(_dir, "..data")));
        Assert.False(File.Exists(Path.Combine(Path.GetDirectoryName(_dir)!, "escape")));
    }
}
