using Navarch.Api.Schema;

namespace Navarch.Api.Patching;

/// <summary>How server-side apply tracks one JSON node.</summary>
internal enum ApplyNodeKind
{
    /// <summary>Owned as a whole: scalars, atomic lists, atomic maps and structs.</summary>
    Leaf,
    /// <summary>A model struct: declared fields, each tracked on its own.</summary>
    Struct,
    /// <summary>A free-keyed map (labels) or an object without schema: every key is tracked.</summary>
    Map,
    /// <summary>A list-map (<c>+listType=map</c>): items tracked by their key fields.</summary>
    KeyedList,
    /// <summary>A list of scalars (<c>+listType=set</c>): items tracked by value.</summary>
    Set,
}

/// <summary>The apply schema of one node, derived from the model types and <see cref="PatchMeta"/>.</summary>
internal readonly record struct ApplySchema(ApplyNodeKind Kind, Type? Type, IReadOnlyList<string> Keys, bool AlwaysPresent = false)
{
    // Go fields without omitempty are never absent in upstream's empty object, so they are never "added" as a whole.
    private static readonly HashSet<(Type, string)> NotOmitEmpty = [(typeof(k8s.Models.V1PodSpec), "containers")];

    private static readonly IReadOnlyList<string> NoKeys = [];

    public static ApplySchema ForModel(Type? modelType) =>
        ModelShape.KindOf(modelType) == ShapeKind.Struct ? new(ApplyNodeKind.Struct, modelType, NoKeys) : new(ApplyNodeKind.Map, null, NoKeys);

    /// <summary>The schema of the value under <paramref name="key"/> of an object with this schema.</summary>
    public ApplySchema Child(string key)
    {
        switch (Kind)
        {
            case ApplyNodeKind.Struct:
                var propertyType = ModelShape.PropertyType(Type, key);
                if (propertyType is null)
                    return new(ApplyNodeKind.Map, null, NoKeys);
                if (PatchMeta.IsAtomic(Type!, key))
                    return Leaf;
                if (ModelShape.KindOf(propertyType) == ShapeKind.List)
                {
                    var itemType = ModelShape.ItemType(propertyType);
                    return PatchMeta.ListType(Type!, key) switch
                    {
                        "map" => new(ApplyNodeKind.KeyedList, itemType, PatchMeta.ListMapKeys(Type!, key), NotOmitEmpty.Contains((Type!, key))),
                        "set" => new(ApplyNodeKind.Set, itemType, NoKeys),
                        _ => Leaf,
                    };
                }
                return OfValueType(ModelShape.ChildType(Type, key));
            case ApplyNodeKind.Map:
                return Type is null ? new(ApplyNodeKind.Map, null, NoKeys) : OfValueType(ModelShape.ChildType(Type, key));
            default:
                return Leaf;
        }
    }

    /// <summary>The schema of an item of a keyed list.</summary>
    public ApplySchema Item() => PatchMeta.IsAtomicStruct(Type) ? Leaf : OfValueType(Type);

    private static ApplySchema Leaf => new(ApplyNodeKind.Leaf, null, NoKeys);

    private static ApplySchema OfValueType(Type? type) => ModelShape.KindOf(type) switch
    {
        ShapeKind.Struct when !PatchMeta.IsAtomicStruct(type) => new(ApplyNodeKind.Struct, type, NoKeys),
        ShapeKind.Map => new(ApplyNodeKind.Map, type, NoKeys),
        ShapeKind.FreeForm => new(ApplyNodeKind.Map, null, NoKeys),
        _ => Leaf,
    };
}
