using System.Security.Cryptography;
using System.Text.Json;

namespace Navarch.Images;

/// <summary>
/// Writes a single-layer image as a docker-archive tarball (what <c>docker save</c> writes and
/// <c>ctr images import</c> reads): <c>&lt;diffid&gt;/layer.tar</c>, <c>&lt;config digest&gt;.json</c> and
/// <c>manifest.json</c>. The bytes depend only on the reference, config and tree, so equal inputs give
/// equal image IDs.
/// </summary>
public static class DockerArchiveWriter
{
    /// <summary>Paths and digests of what <see cref="Write"/> wrote.</summary>
    /// <param name="ConfigDigest">sha256:… of the config JSON, the image ID CRI reports.</param>
    /// <param name="DiffId">sha256:… of the uncompressed layer tar.</param>
    /// <param name="LayerSize">Bytes of the layer tar.</param>
    public sealed record Result(string ConfigDigest, string DiffId, long LayerSize);

    /// <summary>
    /// Writes the archive to <paramref name="output"/>. The layer is staged in a temporary file beside
    /// <paramref name="scratchDirectory"/> (its digest names the entry) and removed afterwards.
    /// </summary>
    public static Result Write(ImageReference reference, ImageConfig config, RootFs rootFs, Stream output, string scratchDirectory)
    {
        Directory.CreateDirectory(scratchDirectory);
        var layerPath = Path.Combine(scratchDirectory, $".layer-{Guid.NewGuid():N}.tar");
        try
        {
            using var layer = new FileStream(layerPath, FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.DeleteOnClose);
            LayerWriter.Write(rootFs, layer);
            layer.Position = 0;
            var diffHex = Convert.ToHexStringLower(SHA256.HashData(layer));
            var configJson = ConfigJson(config, "sha256:" + diffHex);
            var configHex = Convert.ToHexStringLower(SHA256.HashData(configJson));
            var manifestJson = ManifestJson($"{configHex}.json", reference, $"{diffHex}/layer.tar");

            using var tar = new DeterministicTar(output);
            tar.WriteDirectory(diffHex, RootFs.DirectoryMode);
            layer.Position = 0;
            tar.WriteFile($"{diffHex}/layer.tar", RootFs.FileMode, layer);
            tar.WriteFile($"{configHex}.json", RootFs.FileMode, configJson);
            tar.WriteFile("manifest.json", RootFs.FileMode, manifestJson);
            return new Result("sha256:" + configHex, "sha256:" + diffHex, layer.Length);
        }
        finally
        {
            File.Delete(layerPath);
        }
    }

    /// <summary>The image config JSON (keys in a fixed order, created = the epoch).</summary>
    internal static byte[] ConfigJson(ImageConfig config, string diffId)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            var created = DeterministicTar.Epoch.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'");
            json.WriteStartObject();
            json.WriteString("architecture", "amd64");
            json.WriteStartObject("config");
            WriteArray(json, "Cmd", config.Cmd);
            WriteArray(json, "Entrypoint", config.Entrypoint);
            WriteArray(json, "Env", config.EffectiveEnv);
            if (config.ExposedPorts.Count > 0)
            {
                json.WriteStartObject("ExposedPorts");
                foreach (var port in config.ExposedPorts.Distinct().Order(StringComparer.Ordinal))
                {
                    json.WriteStartObject(port);
                    json.WriteEndObject();
                }
                json.WriteEndObject();
            }
            if (config.StopSignal is { } signal) json.WriteString("StopSignal", signal);
            if (config.User is { } user) json.WriteString("User", user);
            if (config.WorkingDir is { } dir) json.WriteString("WorkingDir", dir);
            json.WriteEndObject();
            json.WriteString("created", created);
            json.WriteStartArray("history");
            json.WriteStartObject();
            json.WriteString("created", created);
            json.WriteString("created_by", "navarch image build");
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteString("os", "linux");
            json.WriteStartObject("rootfs");
            json.WriteString("type", "layers");
            WriteArray(json, "diff_ids", [diffId]);
            json.WriteEndObject();
            json.WriteEndObject();
        }
        return buffer.ToArray();
    }

    private static byte[] ManifestJson(string configPath, ImageReference reference, string layerPath)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            json.WriteStartObject();
            json.WriteString("Config", configPath);
            WriteArray(json, "RepoTags", [reference.FamiliarName]);
            WriteArray(json, "Layers", [layerPath]);
            json.WriteEndObject();
            json.WriteEndArray();
        }
        return buffer.ToArray();
    }

    private static void WriteArray(Utf8JsonWriter json, string name, IReadOnlyList<string> values)
    {
        if (values.Count == 0) return;
        json.WriteStartArray(name);
        foreach (var v in values) json.WriteStringValue(v);
        json.WriteEndArray();
    }
}
