using k8s;

namespace Navarch.Controllers;

/// <summary>Compares API values by their JSON, the way a write would carry them (null equals only null).</summary>
public static class JsonEquality
{
    public static bool Same(object? a, object? b) =>
        a is null || b is null ? a is null && b is null : KubernetesJson.Serialize(a) == KubernetesJson.Serialize(b);
}
