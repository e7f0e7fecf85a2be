using System.Reflection;
using System.Text.Json.Serialization;
using k8s.Models;

namespace Navarch.Api.Discovery;

/// <summary>Reflection over the KubernetesClient models: their JSON properties and the models they refer to.</summary>
internal static class ModelGraph
{
    /// <summary>A serialized property: its JSON name and CLR type (nullable unwrapped).</summary>
    public sealed record Property(string JsonName, Type Type);

    /// <summary>The JSON properties of <paramref name="model"/>, sorted by JSON name so documents hash stably.</summary>
    public static IReadOnlyList<Property> Properties(Type model) =>
    [
        .. model.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetIndexParameters().Length == 0 && p.GetCustomAttribute<JsonIgnoreAttribute>() is null)
            .Select(p => new Property(
                p.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name ?? char.ToLowerInvariant(p.Name[0]) + p.Name[1..],
                Nullable.GetUnderlyingType(p.PropertyType) ?? p.PropertyType))
            .OrderBy(p => p.JsonName, StringComparer.Ordinal),
    ];

    /// <summary>True for a k8s.Models class described by its properties (not a primitive or custom-converted scalar).</summary>
    public static bool IsObjectModel(Type type) =>
        type.IsClass && type.Namespace == typeof(V1Pod).Namespace && type.GetCustomAttribute<JsonConverterAttribute>() is null;

    /// <summary>The element type of a list, or null.</summary>
    public static Type? ElementOf(Type type) =>
        type.IsArray ? type.GetElementType()
        : type.IsGenericType && type.GetGenericTypeDefinition() is var d && (d == typeof(IList<>) || d == typeof(List<>) || d == typeof(IEnumerable<>) || d == typeof(ICollection<>) || d == typeof(IReadOnlyList<>))
            ? type.GetGenericArguments()[0]
            : null;

    /// <summary>The value type of a string-keyed map, or null.</summary>
    public static Type? MapValueOf(Type type) =>
        type.IsGenericType && type.GetGenericTypeDefinition() is var d && (d == typeof(IDictionary<,>) || d == typeof(Dictionary<,>) || d == typeof(IReadOnlyDictionary<,>))
            ? type.GetGenericArguments()[1]
            : null;

    /// <summary>The k8s.Models types reachable from <paramref name="roots"/> (roots included), in discovery order.</summary>
    public static IEnumerable<Type> Closure(IEnumerable<Type> roots)
    {
        var seen = new HashSet<Type>();
        var pending = new Queue<Type>(roots);
        while (pending.TryDequeue(out var type))
        {
            if (!seen.Add(type)) continue;
            yield return type;
            if (!IsObjectModel(type)) continue;
            foreach (var property in Properties(type))
            {
                var leaf = Leaf(property.Type);
                if (leaf.Namespace == typeof(V1Pod).Namespace) pending.Enqueue(leaf);
            }
        }
    }

    /// <summary>Strips list and map wrappers: <c>IList&lt;IDictionary&lt;string, V1X&gt;&gt;</c> → V1X.</summary>
    public static Type Leaf(Type type)
    {
        while (true)
        {
            var inner = type == typeof(string) || type == typeof(byte[]) ? null : ElementOf(type) ?? MapValueOf(type);
            if (inner is null) return Nullable.GetUnderlyingType(type) ?? type;
            type = inner;
        }
    }
}
