using System.Text;
using k8s.Models;
using Navarch.Api.Validation;

namespace Navarch.Agent.Pods;

/// <summary>
/// The files of configMap, secret and downwardAPI volumes (and of those sources in a projected volume), as upstream's
/// kubelet makes their payloads: every key as a file named after it, or only the listed <c>items</c> at their paths;
/// an item's <c>mode</c>, else the volume's <c>defaultMode</c>, else 0644. Pure: the objects are read beforehand.
/// A missing object or key throws <see cref="VolumeException"/> with upstream's words unless marked optional.
/// </summary>
public static class VolumePayloads
{
    /// <summary>Upstream's default file mode of these volumes (0644).</summary>
    public const int DefaultMode = 0b110_100_100;

    /// <summary>A ConfigMap's files; <paramref name="configMap"/> null when it does not exist.</summary>
    public static Dictionary<string, FileProjection> ConfigMap(string name, IList<V1KeyToPath>? items, bool optional, int? defaultMode, V1ConfigMap? configMap)
    {
        if (configMap is null)
            return optional ? [] : throw new VolumeException($"configmap \"{name}\" not found");
        var data = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var (key, value) in configMap.Data ?? new Dictionary<string, string>()) data[key] = Encoding.UTF8.GetBytes(value);
        foreach (var (key, value) in configMap.BinaryData ?? new Dictionary<string, byte[]>()) data[key] = value;
        return FromKeys(data, items, optional, defaultMode, key => $"configmap references non-existent config key: {key}");
    }

    /// <summary>A Secret's files; <paramref name="secret"/> null when it does not exist.</summary>
    public static Dictionary<string, FileProjection> Secret(string name, IList<V1KeyToPath>? items, bool optional, int? defaultMode, V1Secret? secret)
    {
        if (secret is null)
            return optional ? [] : throw new VolumeException($"secret \"{name}\" not found");
        var data = new Dictionary<string, byte[]>(secret.Data ?? new Dictionary<string, byte[]>(), StringComparer.Ordinal);
        return FromKeys(data, items, optional, defaultMode, key => $"references non-existent secret key: {key}");
    }

    /// <summary>The downward API's files: pod fields (labels and annotations as <c>key="value"</c> lines) and container resources.</summary>
    public static Dictionary<string, FileProjection> DownwardApi(IList<V1DownwardAPIVolumeFile>? items, int? defaultMode, V1Pod pod, NodeAllocatable node)
    {
        var files = new Dictionary<string, FileProjection>(StringComparer.Ordinal);
        foreach (var item in items ?? [])
        {
            string value;
            try
            {
                value = item switch
                {
                    { FieldRef: { } field } => FieldValue(pod, field.FieldPath),
                    { ResourceFieldRef: { } resource } => EnvReferences.ResourceValue(pod, resource, node),
                    _ => throw new ContainerConfigException($"item \"{item.Path}\" names neither fieldRef nor resourceFieldRef"),
                };
            }
            catch (ContainerConfigException e)
            {
                throw new VolumeException(e.Message);
            }
            files[item.Path] = new FileProjection(Encoding.UTF8.GetBytes(value), ModeOf(item.Mode, defaultMode));
        }
        return files;
    }

    /// <summary>Upstream's <c>fieldpath.FormatMap</c>: sorted <c>key="value"</c> lines, values quoted as Go's %q.</summary>
    public static string FormatMap(IDictionary<string, string>? map) =>
        string.Join('\n', (map ?? new Dictionary<string, string>()).OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={GoText.Quote(p.Value)}"));

    /// <summary>The file mode of an item: its own, else the volume's default, else 0644.</summary>
    public static UnixFileMode ModeOf(int? itemMode, int? defaultMode) => (UnixFileMode)(itemMode ?? defaultMode ?? DefaultMode);

    private static string FieldValue(V1Pod pod, string path) => path switch
    {
        "metadata.labels" => FormatMap(pod.Metadata.Labels),
        "metadata.annotations" => FormatMap(pod.Metadata.Annotations),
        _ => ContainerEnvironment.FieldValue(pod, path, podIp: "", hostIp: ""),
    };

    private static Dictionary<string, FileProjection> FromKeys(
        Dictionary<string, byte[]> data, IList<V1KeyToPath>? items, bool optional, int? defaultMode, Func<string, string> missingKey)
    {
        var files = new Dictionary<string, FileProjection>(StringComparer.Ordinal);
        if (items is null || items.Count == 0)
        {
            foreach (var (key, value) in data) files[key] = new FileProjection(value, ModeOf(null, defaultMode));
            return files;
        }
        foreach (var item in items)
        {
            if (!data.TryGetValue(item.Key, out var value))
            {
                if (optional) continue;
                throw new VolumeException(missingKey(item.Key));
            }
            files[item.Path] = new FileProjection(value, ModeOf(item.Mode, defaultMode));
        }
        return files;
    }
}
