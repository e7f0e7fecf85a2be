using System.Formats.Tar;
using System.Security.Cryptography;
using System.Text.Json;

namespace Navarch.Agent.Tests.Containerd;

/// <summary>
/// Writes a tiny docker-archive (what <c>docker save</c> makes) from the host's busybox-static: one layer
/// with /bin/busybox, applet symlinks and /www/index.html, and one config per tag with its own entrypoint.
/// Test-local on purpose: the real image builder is <c>navarch image</c>.
/// </summary>
internal static class BusyboxImageArchive
{
    /// <summary>The page <c>busybox httpd -h /www</c> serves.</summary>
    public const string IndexPage = "hello from navarch\n";

    private static readonly string[] Applets = ["sh", "sleep", "echo", "cat", "httpd", "ls", "true"];

    /// <summary>Writes the archive to <paramref name="path"/> with one image per (tag, entrypoint).</summary>
    public static void Write(string path, IReadOnlyList<(string Tag, string[] Entrypoint)> images)
    {
        var layer = Layer();
        var diffId = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(layer));
        using var file = File.Create(path);
        using var archive = new TarWriter(file, TarEntryFormat.Pax);
        Add(archive, "layer/layer.tar", layer);
        var manifest = new List<object>();
        foreach (var (tag, entrypoint) in images)
        {
            var config = JsonSerializer.SerializeToUtf8Bytes(new
            {
                architecture = "amd64",
                os = "linux",
                config = new { Entrypoint = entrypoint, Env = new[] { "PATH=/bin" } },
                rootfs = new { type = "layers", diff_ids = new[] { diffId } },
            });
            var configName = Convert.ToHexStringLower(SHA256.HashData(config)) + ".json";
            Add(archive, configName, config);
            manifest.Add(new { Config = configName, RepoTags = new[] { tag }, Layers = new[] { "layer/layer.tar" } });
        }
        Add(archive, "manifest.json", JsonSerializer.SerializeToUtf8Bytes(manifest));
    }

    private static byte[] Layer()
    {
        using var buffer = new MemoryStream();
        using (var layer = new TarWriter(buffer, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var dir in new[] { "bin", "etc", "tmp", "proc", "sys", "dev", "www" })
                layer.WriteEntry(new PaxTarEntry(TarEntryType.Directory, dir + "/") { Mode = (UnixFileMode)0b111_101_101 });
            layer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "bin/busybox")
            {
                Mode = (UnixFileMode)0b111_101_101,
                DataStream = new MemoryStream(File.ReadAllBytes("/bin/busybox")),
            });
            foreach (var applet in Applets)
                layer.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, "bin/" + applet) { LinkName = "busybox", Mode = (UnixFileMode)0b111_111_111 });
            layer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "www/index.html")
            {
                Mode = (UnixFileMode)0b110_100_100,
                DataStream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(IndexPage)),
            });
        }
        return buffer.ToArray();
    }

    private static void Add(TarWriter archive, string name, byte[] content) =>
        archive.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { Mode = (UnixFileMode)0b110_100_100, DataStream = new MemoryStream(content) });
}
