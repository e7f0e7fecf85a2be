using System.Formats.Tar;
using System.Text.Json;

namespace Navarch.Images;

/// <summary>An image containerd holds: its name, manifest digest, image ID (config digest, what CRI reports) and size.</summary>
/// <param name="Size">Bytes of the config and layers as stored (uncompressed for Navarch's own images).</param>
public sealed record ImageSummary(string Reference, string ManifestDigest, string ImageId, long Size);

/// <summary>
/// Loads image tarballs into a containerd and lists what it holds, through containerd's own <c>ctr</c>
/// (Debian's containerd package ships it). Images go to the <c>k8s.io</c> namespace, the one CRI serves.
/// </summary>
public static class ImageImporter
{
    /// <summary>The containerd namespace CRI uses.</summary>
    public const string CriNamespace = "k8s.io";

    /// <summary>
    /// Imports a docker-archive or OCI-layout tarball, or an OCI layout directory, and unpacks it into the
    /// snapshotter CRI uses (<paramref name="snapshotter"/>; null = ctr's default, overlayfs). Returns the
    /// image names containerd created (normalised, e.g. <c>docker.io/library/nginx:latest</c>).
    /// <paramref name="baseName"/> names OCI images that carry only a tag.
    /// Throws <see cref="ImageException"/> with one line when the socket is missing or ctr fails.
    /// </summary>
    public static async Task<IReadOnlyList<string>> ImportAsync(string socket, string tarball, string @namespace = CriNamespace, string? baseName = null, string? snapshotter = null, CancellationToken ct = default)
    {
        var address = SocketPath(socket);
        string? packed = null;
        try
        {
            var input = tarball;
            if (Directory.Exists(tarball))
            {
                // An OCI layout directory: ctr reads only tar streams.
                packed = Path.Combine(Path.GetTempPath(), $"navarch-oci-{Guid.NewGuid():N}.tar");
                await TarFile.CreateFromDirectoryAsync(tarball, packed, includeBaseDirectory: false, ct);
                input = packed;
            }
            else if (!File.Exists(tarball))
            {
                throw new ImageException($"{tarball}: no such file");
            }

            List<string> args = ["-a", address, "-n", @namespace, "images", "import"];
            if (baseName is not null) args.AddRange(["--base-name", baseName]);
            if (snapshotter is not null) args.AddRange(["--snapshotter", snapshotter]);
            args.Add(input);
            var result = await HostProcess.RunAsync("ctr", args, ct);
            if (result.ExitCode != 0) throw new ImageException($"ctr images import {tarball}: {result.FirstErrorLine}");
            return ParseImported(result.StandardOutput);
        }
        finally
        {
            if (packed is not null) File.Delete(packed);
        }
    }

    /// <summary>The images in <paramref name="namespace"/>, sorted by name. Throws <see cref="ImageException"/> when the socket is missing or ctr fails.</summary>
    public static async Task<IReadOnlyList<ImageSummary>> ListAsync(string socket, string @namespace = CriNamespace, CancellationToken ct = default)
    {
        var address = SocketPath(socket);
        var result = await HostProcess.RunAsync("ctr", ["-a", address, "-n", @namespace, "images", "ls"], ct);
        if (result.ExitCode != 0) throw new ImageException($"ctr images ls: {result.FirstErrorLine}");
        var images = new List<ImageSummary>();
        foreach (var line in result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1))
        {
            var columns = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (columns.Length < 3) continue;
            var (imageId, size) = await ConfigAndSizeAsync(address, @namespace, columns[2], ct);
            images.Add(new ImageSummary(columns[0], columns[2], imageId, size));
        }
        return [.. images.OrderBy(i => i.Reference, StringComparer.Ordinal)];
    }

    /// <summary>"unix:///run/c.sock" or "/run/c.sock" → "/run/c.sock"; throws <see cref="ImageException"/> if nothing is there.</summary>
    internal static string SocketPath(string socket)
    {
        var path = socket.StartsWith("unix://", StringComparison.Ordinal) ? socket["unix://".Length..] : socket;
        if (UnixStat.Of(path).Type == UnixStat.FileType.Missing)
            throw new ImageException($"containerd socket {path} not found: is containerd running?");
        return path;
    }

    /// <summary>Reads "unpacking docker.io/library/nginx:latest (sha256:…)...done" lines.</summary>
    internal static IReadOnlyList<string> ParseImported(string ctrOutput)
    {
        const string prefix = "unpacking ";
        return [.. ctrOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(l => l.StartsWith(prefix, StringComparison.Ordinal))
            .Select(l => l[prefix.Length..].Split(' ')[0])];
    }

    /// <summary>Reads the manifest (the linux/amd64 one of an index) for the config digest and the stored size.</summary>
    private static async Task<(string ImageId, long Size)> ConfigAndSizeAsync(string address, string @namespace, string digest, CancellationToken ct)
    {
        using var manifest = JsonDocument.Parse(await HostProcess.OutputAsync("ctr", ["-a", address, "-n", @namespace, "content", "get", digest], ct));
        var root = manifest.RootElement;
        if (root.TryGetProperty("manifests", out var manifests))
        {
            var chosen = manifests.EnumerateArray().FirstOrDefault(m =>
                !m.TryGetProperty("platform", out var p) ||
                (p.GetProperty("os").GetString() == "linux" && p.GetProperty("architecture").GetString() == "amd64"));
            if (chosen.ValueKind != JsonValueKind.Object) return ("", 0);
            return await ConfigAndSizeAsync(address, @namespace, chosen.GetProperty("digest").GetString()!, ct);
        }
        var config = root.GetProperty("config");
        var size = config.GetProperty("size").GetInt64() + root.GetProperty("layers").EnumerateArray().Sum(l => l.GetProperty("size").GetInt64());
        return (config.GetProperty("digest").GetString()!, size);
    }
}
