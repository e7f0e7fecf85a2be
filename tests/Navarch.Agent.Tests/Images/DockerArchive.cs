using System.Formats.Tar;
using System.Text.Json;

namespace Navarch.Agent.Tests.Images;

/// <summary>A docker-archive tarball read back into memory, for assertions.</summary>
internal sealed class DockerArchive
{
    public required JsonElement Manifest { get; init; }
    public required JsonElement Config { get; init; }
    public required byte[] ConfigBytes { get; init; }
    public required string ConfigName { get; init; }
    public required byte[] Layer { get; init; }
    public required string LayerName { get; init; }

    public static DockerArchive Read(byte[] tarball) => Read(new MemoryStream(tarball));

    public static DockerArchive Read(Stream tarball)
    {
        var files = new Dictionary<string, byte[]>();
        using (var reader = new TarReader(tarball))
            while (reader.GetNextEntry() is { } entry)
                if (entry.EntryType == TarEntryType.RegularFile)
                {
                    using var copy = new MemoryStream();
                    entry.DataStream?.CopyTo(copy);
                    files[entry.Name] = copy.ToArray();
                }
        var manifest = JsonDocument.Parse(files["manifest.json"]).RootElement;
        var configName = manifest[0].GetProperty("Config").GetString()!;
        var layerName = manifest[0].GetProperty("Layers")[0].GetString()!;
        return new DockerArchive
        {
            Manifest = manifest,
            ConfigName = configName,
            ConfigBytes = files[configName],
            Config = JsonDocument.Parse(files[configName]).RootElement,
            LayerName = layerName,
            Layer = files[layerName],
        };
    }

    /// <summary>The layer's entries in tar order.</summary>
    public List<TarEntry> LayerEntries()
    {
        var entries = new List<TarEntry>();
        using var reader = new TarReader(new MemoryStream(Layer));
        while (reader.GetNextEntry(copyData: true) is { } entry) entries.Add(entry);
        return entries;
    }
}
