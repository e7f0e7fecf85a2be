using k8s;

namespace Navarch.Api.Kinds;

/// <summary>Upstream's reflect.DeepEqual for immutable fields: equal when both serialize alike (null included).</summary>
internal static class JsonEquality
{
    public static bool Same(object? a, object? b) => Text(a) == Text(b);

    private static string Text(object? value) => value is null ? "null" : KubernetesJson.Serialize(value);
}
