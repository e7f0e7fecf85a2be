using k8s;
using k8s.Models;
using Navarch.Api.Resources;

namespace Navarch.Api.Selectors;

/// <summary>
/// The fields each resource can be selected by (upstream's field label conversion functions and
/// *ToSelectableFields, declared by each kind's definition), and their values for an object.
/// </summary>
public static class ObjectFields
{
    /// <summary>The selectable fields of a resource.</summary>
    public static IReadOnlyList<string> Supported(ResourceType rt) => rt.Definition.SupportedFields;

    /// <summary>Whether the resource can be selected by the field (pods also accept the legacy <c>spec.host</c>).</summary>
    public static bool IsSupported(ResourceType rt, string field) =>
        Supported(rt).Contains(Normalize(rt, field));

    /// <summary>Maps legacy names to current ones (<c>spec.host</c> → <c>spec.nodeName</c> for pods).</summary>
    public static string Normalize(ResourceType rt, string field) => rt.Definition.NormalizeField(field);

    /// <summary>Upstream's error for a field a kind with its own conversion function does not support.</summary>
    public static string UnsupportedMessage(string field) => $"field label not supported: {field}";

    /// <summary>The right error text for the resource: kinds without their own list use the generic wording.</summary>
    public static string UnsupportedMessage(ResourceType rt, string field) =>
        rt.Definition.SelectableFields is not null
            ? UnsupportedMessage(field)
            : $"\"{field}\" is not a known field selector: only \"metadata.name\", \"metadata.namespace\"";

    /// <summary>
    /// The value of a selectable field of the object, as upstream renders it (booleans "true"/"false",
    /// numbers in decimal, absent strings as ""); null when the field is not supported for the resource.
    /// </summary>
    public static string? GetValue(ResourceType rt, IKubernetesObject<V1ObjectMeta> obj, string field)
    {
        field = Normalize(rt, field);
        if (!Supported(rt).Contains(field))
        {
            return null;
        }
        return field switch
        {
            "metadata.name" => obj.Metadata?.Name ?? "",
            "metadata.namespace" => obj.Metadata?.NamespaceProperty ?? "",
            _ => rt.Definition.FieldValue(obj, field),
        };
    }
}
