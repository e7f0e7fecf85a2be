using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using k8s.Models;

namespace Navarch.Api.Schema;

/// <summary>What a JSON value of a model property looks like.</summary>
internal enum ShapeKind
{
    /// <summary>No schema known: any JSON (object, JsonElement, or no type given).</summary>
    FreeForm,
    /// <summary>A JSON scalar: strings, numbers, booleans, times, IntOrString, ResourceQuantity, bytes.</summary>
    Scalar,
    /// <summary>A KubernetesClient model class with declared [JsonPropertyName] properties.</summary>
    Struct,
    /// <summary><c>IDictionary&lt;string, T&gt;</c>: free keys, values of the element type.</summary>
    Map,
    /// <summary><c>IList&lt;T&gt;</c>.</summary>
    List,
}

/// <summary>Reflection over the k8s.Models types, cached: the kind of each type and the JSON properties of structs.</summary>
internal static class ModelShape
{
    private static readonly ConcurrentDictionary<Type, IReadOnlyDictionary<string, Type>> Properties = new();

    private static readonly ConcurrentDictionary<Type, ShapeKind> Kinds = new();
    private static readonly ConcurrentDictionary<Type, Type?> Elements = new();

    /// <summary>The shape of <paramref name="type"/>; cached, as the walkers ask for it at every JSON node.</summary>
    public static ShapeKind KindOf(Type? type) => type is null ? ShapeKind.FreeForm : Kinds.GetOrAdd(type, ComputeKind);

    private static ShapeKind ComputeKind(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(string) || type.IsPrimitive || type.IsEnum || type == typeof(decimal)
            || type == typeof(DateTime) || type == typeof(DateTimeOffset) || type == typeof(byte[])
            || type == typeof(IntOrString) || type == typeof(ResourceQuantity))
            return ShapeKind.Scalar;
        if (type == typeof(object) || type == typeof(JsonElement) || type == typeof(JsonDocument))
            return ShapeKind.FreeForm;
        if (DictionaryValueType(type) is not null)
            return ShapeKind.Map;
        if (ListElementType(type) is not null)
            return ShapeKind.List;
        return PropertiesOf(type).Count > 0 ? ShapeKind.Struct : ShapeKind.FreeForm;
    }

    /// <summary>The element type of a map or list type, else null.</summary>
    public static Type? ElementOf(Type? type) =>
        type is null ? null : Elements.GetOrAdd(type, t => DictionaryValueType(t) ?? ListElementType(t));

    /// <summary>JSON property name → declared CLR type for a model struct (empty for other types).</summary>
    public static IReadOnlyDictionary<string, Type> PropertiesOf(Type type) =>
        Properties.GetOrAdd(type, static t =>
        {
            var result = new Dictionary<string, Type>(StringComparer.Ordinal);
            foreach (var property in t.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                var name = property.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name;
                if (name is not null)
                    result[name] = property.PropertyType;
            }
            return result;
        });

    /// <summary>The declared type of a struct's JSON property, or null when the struct does not declare it.</summary>
    public static Type? PropertyType(Type? structType, string jsonProperty) =>
        structType is not null && KindOf(structType) == ShapeKind.Struct
            && PropertiesOf(structType).TryGetValue(jsonProperty, out var type) ? type : null;

    /// <summary>
    /// The type of the value under <paramref name="key"/> of a JSON object typed <paramref name="objectType"/>:
    /// the declared property type for a struct, the value type for a map, null (free-form) otherwise.
    /// </summary>
    public static Type? ChildType(Type? objectType, string key) => KindOf(objectType) switch
    {
        ShapeKind.Struct => Unwrap(PropertyType(objectType, key)),
        ShapeKind.Map => Unwrap(ElementOf(objectType)),
        _ => null,
    };

    /// <summary>The item type of a JSON array typed <paramref name="listType"/>, or null (free-form).</summary>
    public static Type? ItemType(Type? listType) =>
        KindOf(listType) == ShapeKind.List ? Unwrap(ElementOf(listType)) : null;

    private static Type? Unwrap(Type? type) => type is null ? null : Nullable.GetUnderlyingType(type) ?? type;

    private static Type? DictionaryValueType(Type type) =>
        GenericArgument(type, typeof(IDictionary<,>), 1) ?? GenericArgument(type, typeof(IReadOnlyDictionary<,>), 1);

    private static Type? ListElementType(Type type)
    {
        if (type == typeof(string) || type == typeof(byte[]))
            return null;
        if (type.IsArray)
            return type.GetElementType();
        return GenericArgument(type, typeof(IList<>), 0) ?? GenericArgument(type, typeof(IEnumerable<>), 0);
    }

    private static Type? GenericArgument(Type type, Type openInterface, int position)
    {
        if (type.IsGenericType && type.GetGenericTypeDefinition() == openInterface)
            return type.GetGenericArguments()[position];
        var match = type.GetInterfaces().FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == openInterface);
        return match?.GetGenericArguments()[position];
    }
}
