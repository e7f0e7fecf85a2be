using System.Text.Json.Nodes;

namespace Navarch.Api.Patching;

/// <summary>
/// A set of field paths as upstream's structured-merge-diff keeps them for managedFields: a tree whose edges are
/// path elements (<c>f:name</c> field, <c>k:{"name":"nginx"}</c> keyed list item, <c>v:"x"</c> set value,
/// <c>i:0</c> index) and whose nodes may themselves be members. Serialized as fieldsV1, where <c>".": {}</c>
/// marks a member that also has children.
/// </summary>
internal sealed class FieldSet
{
    private readonly SortedDictionary<string, FieldSet> _children = new(StringComparer.Ordinal);

    /// <summary>Whether the path leading to this node is itself in the set.</summary>
    public bool Member { get; private set; }

    public bool IsEmpty => !Member && _children.Count == 0;

    public void Insert(IReadOnlyList<string> path)
    {
        var node = this;
        foreach (var element in path)
        {
            if (!node._children.TryGetValue(element, out var child))
                node._children[element] = child = new FieldSet();
            node = child;
        }
        node.Member = true;
    }

    public bool Contains(IReadOnlyList<string> path)
    {
        var node = this;
        foreach (var element in path)
        {
            if (!node._children.TryGetValue(element, out node))
                return false;
        }
        return node.Member;
    }

    /// <summary>Every member path, depth first in element order.</summary>
    public IEnumerable<IReadOnlyList<string>> Paths() => PathsUnder([]);

    /// <summary>The immediate children: element → subtree.</summary>
    public IEnumerable<KeyValuePair<string, FieldSet>> Children => _children;

    public FieldSet Union(FieldSet other)
    {
        var result = Copy();
        foreach (var path in other.Paths())
            result.Insert(path);
        return result;
    }

    public FieldSet Difference(FieldSet other) => Filter(p => !other.Contains(p));

    public FieldSet Intersection(FieldSet other) => Filter(other.Contains);

    public FieldSet Copy() => Filter(_ => true);

    public JsonObject ToFieldsV1()
    {
        var result = new JsonObject();
        foreach (var (element, child) in _children)
        {
            var value = child.ToFieldsV1();
            if (child.Member && child._children.Count > 0)
                value.Insert(0, ".", new JsonObject());
            result[element] = value;
        }
        return result;
    }

    /// <summary>Parses fieldsV1; unknown shapes are skipped rather than failing a write.</summary>
    public static FieldSet FromFieldsV1(JsonObject? fields)
    {
        var set = new FieldSet();
        if (fields is not null)
            Read(fields, [], set);
        return set;
    }

    private static void Read(JsonObject node, List<string> path, FieldSet set)
    {
        foreach (var (element, child) in node)
        {
            if (element == ".")
            {
                set.Insert(path);
                continue;
            }
            path.Add(element);
            if (child is JsonObject childObject && childObject.Count > 0)
                Read(childObject, path, set);
            else
                set.Insert(path);
            path.RemoveAt(path.Count - 1);
        }
    }

    private FieldSet Filter(Func<IReadOnlyList<string>, bool> keep)
    {
        var result = new FieldSet();
        foreach (var path in Paths())
        {
            if (keep(path))
                result.Insert(path);
        }
        return result;
    }

    private IEnumerable<IReadOnlyList<string>> PathsUnder(List<string> prefix)
    {
        if (Member)
            yield return prefix.ToArray();
        foreach (var (element, child) in _children)
        {
            prefix.Add(element);
            foreach (var path in child.PathsUnder(prefix))
                yield return path;
            prefix.RemoveAt(prefix.Count - 1);
        }
    }
}
