using k8s.Models;

namespace Navarch.Agent.Pods;

/// <summary>A container's configuration cannot be built (upstream's waiting reason <c>CreateContainerConfigError</c>).</summary>
public sealed class ContainerConfigException(string message) : Exception(message);

/// <summary>
/// A container's final environment as upstream builds it: the declared variables in order, each value
/// expanded against the ones declared before it and the service variables, <c>valueFrom.fieldRef</c>
/// resolved from the pod; then the service variables the container did not declare itself.
/// </summary>
public static class ContainerEnvironment
{
    /// <summary>Builds the environment; throws <see cref="ContainerConfigException"/> for a source that cannot be resolved.</summary>
    /// <param name="pod">The pod.</param>
    /// <param name="container">The container.</param>
    /// <param name="serviceEnv">The service variables (<see cref="ServiceEnvironment.For"/>).</param>
    /// <param name="podIp">The pod's IP (for <c>status.podIP</c>), empty if unknown.</param>
    /// <param name="hostIp">The node's IP (for <c>status.hostIP</c>).</param>
    /// <param name="sources">The ConfigMaps and Secrets the container refers to (<see cref="EnvSources.ReadAsync"/>); none when null.</param>
    public static IReadOnlyList<KeyValuePair<string, string>> Build(
        V1Pod pod, V1Container container, IReadOnlyList<KeyValuePair<string, string>> serviceEnv, string podIp, string hostIp, EnvSources? sources = null)
    {
        sources ??= EnvSources.None;
        var ns = pod.Metadata.NamespaceProperty ?? "default";
        var services = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in serviceEnv) services[k] = v;
        var declared = new Dictionary<string, string>(StringComparer.Ordinal);
        var order = new List<string>();
        string? Lookup(string name) => declared.TryGetValue(name, out var d) ? d : services.GetValueOrDefault(name);
        // envFrom first, in order; env then overrides what they set.
        foreach (var (name, value) in EnvReferences.FromSources(container, ns, sources))
        {
            if (!declared.ContainsKey(name)) order.Add(name);
            declared[name] = value;
        }
        foreach (var e in container.Env ?? [])
        {
            string value;
            if (!string.IsNullOrEmpty(e.Value)) value = EnvExpansion.Expand(e.Value, Lookup);
            else if (e.ValueFrom is { } from) value = Resolve(pod, from, podIp, hostIp, ns, sources);
            else value = "";
            if (!declared.ContainsKey(e.Name)) order.Add(e.Name);
            declared[e.Name] = value;
        }
        var result = order.Select(n => new KeyValuePair<string, string>(n, declared[n])).ToList();
        result.AddRange(serviceEnv.Where(kv => !declared.ContainsKey(kv.Key)));
        return result;
    }

    /// <summary>Expands <c>$(VAR)</c> in a command or args list with the container's final environment.</summary>
    public static IReadOnlyList<string> ExpandAll(IEnumerable<string>? items, IReadOnlyList<KeyValuePair<string, string>> env)
    {
        if (items is null) return [];
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in env) map[k] = v;
        return items.Select(i => EnvExpansion.Expand(i, n => map.GetValueOrDefault(n))).ToList();
    }

    private static string Resolve(V1Pod pod, V1EnvVarSource from, string podIp, string hostIp, string ns, EnvSources sources)
    {
        if (from.FieldRef is { } field) return FieldValue(pod, field.FieldPath, podIp, hostIp);
        if (from.ConfigMapKeyRef is not null || from.SecretKeyRef is not null) return EnvReferences.KeyValue(from, ns, sources);
        if (from.ResourceFieldRef is { } resource) return EnvReferences.ResourceValue(pod, resource, NodeAllocatable.Machine);
        return "";
    }

    /// <summary>The value of a downward-API field path, as upstream's <c>podFieldSelectorRuntimeValue</c> gives it.</summary>
    public static string FieldValue(V1Pod pod, string path, string podIp, string hostIp)
    {
        var meta = pod.Metadata;
        return path switch
        {
            "metadata.name" => meta.Name,
            "metadata.namespace" => meta.NamespaceProperty ?? "",
            "metadata.uid" => meta.Uid ?? "",
            "spec.nodeName" => pod.Spec?.NodeName ?? "",
            "spec.serviceAccountName" => pod.Spec?.ServiceAccountName ?? "",
            "status.hostIP" or "status.hostIPs" => hostIp,
            "status.podIP" or "status.podIPs" => podIp,
            _ when Subscript(path, "metadata.labels") is { } key => (meta.Labels is { } l && l.TryGetValue(key, out var lv) ? lv : ""),
            _ when Subscript(path, "metadata.annotations") is { } key => (meta.Annotations is { } a && a.TryGetValue(key, out var av) ? av : ""),
            _ => throw new ContainerConfigException($"unsupported fieldPath: {path}"),
        };
    }

    // "metadata.labels['app']" → "app".
    private static string? Subscript(string path, string prefix) =>
        path.StartsWith(prefix + "['", StringComparison.Ordinal) && path.EndsWith("']", StringComparison.Ordinal)
            ? path[(prefix.Length + 2)..^2]
            : null;
}
