using System.Text;
using k8s.Models;

namespace Navarch.Agent.Pods;

/// <summary>
/// The ConfigMaps and Secrets one container's environment names (env[].valueFrom and envFrom), read once before
/// the container is created: the agent reads only what its own pods use. A missing object is recorded as absent.
/// </summary>
public sealed class EnvSources
{
    private readonly Dictionary<string, IDictionary<string, string>?> _configMaps = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IDictionary<string, string>?> _secrets = new(StringComparer.Ordinal);

    /// <summary>No objects at all: every reference is missing (what a pod without references needs).</summary>
    public static EnvSources None { get; } = new();

    /// <summary>Reads every ConfigMap and Secret <paramref name="container"/>'s environment refers to.</summary>
    public static async Task<EnvSources> ReadAsync(IReferencedObjects objects, V1Pod pod, V1Container container, CancellationToken ct)
    {
        var ns = pod.Metadata.NamespaceProperty ?? "default";
        var sources = new EnvSources();
        var configMaps = (container.Env ?? []).Select(e => e.ValueFrom?.ConfigMapKeyRef?.Name)
            .Concat((container.EnvFrom ?? []).Select(e => e.ConfigMapRef?.Name)).OfType<string>().Distinct();
        var secrets = (container.Env ?? []).Select(e => e.ValueFrom?.SecretKeyRef?.Name)
            .Concat((container.EnvFrom ?? []).Select(e => e.SecretRef?.Name)).OfType<string>().Distinct();
        try
        {
            foreach (var name in configMaps)
                sources._configMaps[name] = await objects.ConfigMapAsync(ns, name, ct) is { } cm ? TextData(cm) : null;
            foreach (var name in secrets)
                sources._secrets[name] = await objects.SecretAsync(ns, name, ct) is { } secret
                    ? (secret.Data ?? new Dictionary<string, byte[]>()).ToDictionary(p => p.Key, p => Encoding.UTF8.GetString(p.Value), StringComparer.Ordinal)
                    : null;
        }
        catch (ObjectReadException e)
        {
            // Upstream's kubelet also fails the container (CreateContainerConfigError) when the read itself fails.
            throw new ContainerConfigException(e.Message);
        }
        return sources;
    }

    private static Dictionary<string, string> TextData(V1ConfigMap cm)
    {
        var data = new Dictionary<string, string>(cm.Data ?? new Dictionary<string, string>(), StringComparer.Ordinal);
        foreach (var (key, value) in cm.BinaryData ?? new Dictionary<string, byte[]>()) data[key] = Encoding.UTF8.GetString(value);
        return data;
    }

    /// <summary>Test seam: sources with the given objects.</summary>
    public static EnvSources Of(IDictionary<string, IDictionary<string, string>>? configMaps = null, IDictionary<string, IDictionary<string, string>>? secrets = null)
    {
        var sources = new EnvSources();
        foreach (var (name, data) in configMaps ?? new Dictionary<string, IDictionary<string, string>>()) sources._configMaps[name] = data;
        foreach (var (name, data) in secrets ?? new Dictionary<string, IDictionary<string, string>>()) sources._secrets[name] = data;
        return sources;
    }

    /// <summary>A ConfigMap's data (binaryData as text), or null when it does not exist.</summary>
    public IDictionary<string, string>? ConfigMap(string name) => _configMaps.GetValueOrDefault(name);

    /// <summary>A Secret's decoded data, or null when it does not exist.</summary>
    public IDictionary<string, string>? Secret(string name) => _secrets.GetValueOrDefault(name);
}
