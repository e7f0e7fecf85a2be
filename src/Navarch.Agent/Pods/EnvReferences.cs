using System.Globalization;
using k8s.Models;

namespace Navarch.Agent.Pods;

/// <summary>
/// Upstream's kubelet rules for env[].valueFrom (configMapKeyRef, secretKeyRef, resourceFieldRef) and envFrom:
/// a missing object or key fails the container with CreateContainerConfigError unless marked optional.
/// </summary>
public static class EnvReferences
{
    /// <summary>The variables of every envFrom source in order, each name with its prefix.</summary>
    public static IEnumerable<KeyValuePair<string, string>> FromSources(V1Container container, string podNamespace, EnvSources sources)
    {
        foreach (var source in container.EnvFrom ?? [])
        {
            IDictionary<string, string>? data;
            if (source.ConfigMapRef is { } cm)
            {
                data = sources.ConfigMap(cm.Name);
                if (data is null && cm.Optional != true) throw new ContainerConfigException($"configmap \"{cm.Name}\" not found");
            }
            else if (source.SecretRef is { } secret)
            {
                data = sources.Secret(secret.Name);
                if (data is null && secret.Optional != true) throw new ContainerConfigException($"secret \"{secret.Name}\" not found");
            }
            else continue;
            foreach (var (key, value) in (data ?? new Dictionary<string, string>()).OrderBy(p => p.Key, StringComparer.Ordinal))
                yield return new(source.Prefix + key, value);
        }
    }

    /// <summary>The value of one configMapKeyRef or secretKeyRef; "" when optional and missing.</summary>
    public static string KeyValue(V1EnvVarSource from, string podNamespace, EnvSources sources)
    {
        if (from.ConfigMapKeyRef is { } cm)
        {
            var data = sources.ConfigMap(cm.Name);
            if (data is null) return cm.Optional == true ? "" : throw new ContainerConfigException($"configmap \"{cm.Name}\" not found");
            if (data.TryGetValue(cm.Key, out var value)) return value;
            return cm.Optional == true ? "" : throw new ContainerConfigException($"couldn't find key {cm.Key} in ConfigMap {podNamespace}/{cm.Name}");
        }
        var secret = from.SecretKeyRef!;
        var secretData = sources.Secret(secret.Name);
        if (secretData is null) return secret.Optional == true ? "" : throw new ContainerConfigException($"secret \"{secret.Name}\" not found");
        if (secretData.TryGetValue(secret.Key, out var secretValue)) return secretValue;
        return secret.Optional == true ? "" : throw new ContainerConfigException($"couldn't find key {secret.Key} in Secret {podNamespace}/{secret.Name}");
    }

    /// <summary>
    /// resourceFieldRef: the container's limit (or request) of cpu, memory or ephemeral-storage divided by the
    /// divisor and rounded up, as upstream's ExtractContainerResourceValue; an unset limit is the node's allocatable.
    /// </summary>
    public static string ResourceValue(V1Pod pod, V1ResourceFieldSelector selector, NodeAllocatable node)
    {
        var container = (pod.Spec.Containers ?? []).Concat(pod.Spec.InitContainers ?? [])
            .FirstOrDefault(c => string.IsNullOrEmpty(selector.ContainerName) || c.Name == selector.ContainerName)
            ?? throw new ContainerConfigException($"container \"{selector.ContainerName}\" not found");
        var (kind, resource) = selector.Resource.Split('.', 2) switch
        {
            [var k, var r] => (k, r),
            _ => throw new ContainerConfigException($"unsupported container resource : {selector.Resource}"),
        };
        var values = kind switch
        {
            "limits" => container.Resources?.Limits,
            "requests" => container.Resources?.Requests,
            _ => throw new ContainerConfigException($"unsupported container resource : {selector.Resource}"),
        };
        decimal amount = values is not null && values.TryGetValue(resource, out var q) ? q.ToDecimal()
            : kind == "requests" && resource == "cpu" ? 0
            : resource switch
            {
                "cpu" => node.Cpu,
                "memory" => node.MemoryBytes,
                "ephemeral-storage" => node.EphemeralStorageBytes,
                _ => throw new ContainerConfigException($"unsupported container resource : {selector.Resource}"),
            };
        var divisor = selector.Divisor?.ToDecimal() is { } d and > 0 ? d : 1m;
        return decimal.Ceiling(amount / divisor).ToString(CultureInfo.InvariantCulture);
    }
}

/// <summary>What the node offers (upstream uses its allocatable when a container sets no limit).</summary>
public sealed record NodeAllocatable(decimal Cpu, decimal MemoryBytes, decimal EphemeralStorageBytes)
{
    /// <summary>This machine: its processors, its memory and the free space where pods' files live.</summary>
    public static NodeAllocatable Machine { get; } = new(Environment.ProcessorCount, GC.GetGCMemoryInfo().TotalAvailableMemoryBytes, 0);
}
