using System.Text.Json.Nodes;

namespace Navarch.Api.Patching;

/// <summary>
/// A set of field paths as upstream's structured-merge-diff keeps them for managedFields: a tree whose edges are
/// path elements (<c>f:name</c> field, <c>k:{"name":"nginx"}</c> keyed list item, <c>v:"x"</c> set value,
/// <c>i:0</c> index) and whose nodes may themselves be members. Serialized as fieldsV1, where <c>".": {}</c>
/// marks a member that also has children.
/// </summary>
/// <remarks>
/// Every write records managedFields, so set operations work on the trees node by node rather than path by path,
/// and children live in a list sorted by ordinal element (a node rarely has more than a dozen).
/// Invariant: every leaf is a member (nodes exist only on the way to members), so no operation leaves empty
/// non-member nodes behind.
/// </remarks>
internal sealed class FieldSet
{
    private List<KeyValuePair<string, FieldSet>>? _children;

    /// <summary>Whether the path leading to this node is itself in the set.</summary>
    public bool Member { get; private set; }

    public bool IsEmpty => !Member && ChildCount == 0;

    private int ChildCount => _children?.Count ?? 0;

    public void Insert(IReadOnlyList<string> path)
    {
        var node = this;
        for (var i = 0; i < path.Count; i++)
            node = node.GetOrAddChild(path[i]);
        node.Member = true;
    }

    public bool Contains(IReadOnlyList<string> path)
    {
        var node = this;
        for (var i = 0; i < path.Count; i++)
        {
            node = node.Child(path[i]);
            if (node is null)
                return false;
        }
        return node.Member;
    }

    /// <summary>Every member path, depth first in element order.</summary>
    public IEnumerable<IReadOnlyList<string>> Paths() => PathsUnder([]);

    /// <summary>The immediate children: element → subtree, in ordinal element order.</summary>
    public IEnumerable<KeyValuePair<string, FieldSet>> Children => _children ?? [];

    public FieldSet Union(FieldSet other)
    {
        var result = Copy();
        result.UnionWith(other);
        return result;
    }

    /// <summary>The member paths of this set that are not members of <paramref name="other"/>.</summary>
    public FieldSet Difference(FieldSet other)
    {
        if (other.IsEmpty)
            return Copy();
        var result = new FieldSet { Member = Member && !other.Member };
        foreach (var (element, child) in Children)
        {
            var otherChild = other.Child(element);
            var kept = otherChild is null ? child.Copy() : child.Difference(otherChild);
            if (!kept.IsEmpty)
                result.AppendChild(element, kept);
        }
        return result;
    }

    public FieldSet Intersection(FieldSet other)
    {
        var result = new FieldSet { Member = Member && other.Member };
        foreach (var (element, child) in Children)
        {
            if (other.Child(element) is not { } otherChild)
                continue;
            var kept = child.Intersection(otherChild);
            if (!kept.IsEmpty)
                result.AppendChild(element, kept);
        }
        return result;
    }

    public FieldSet Copy()
    {
        var result = new FieldSet { Member = Member };
        if (_children is not null)
        {
            result._children = new List<KeyValuePair<string, FieldSet>>(_children.Count);
            foreach (var (element, child) in _children)
                result._children.Add(new(element, child.Copy()));
        }
        return result;
    }

    public JsonObject ToFieldsV1()
    {
        var result = new JsonObject();
        foreach (var (element, child) in Children)
        {
            var value = child.ToFieldsV1();
            if (child.Member && child.ChildCount > 0)
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
            Read(fields, set);
        return set;
    }

    private static void Read(JsonObject node, FieldSet set)
    {
        foreach (var (element, child) in node)
        {
            if (element == ".")
            {
                set.Member = true;
                continue;
            }
            var childSet = set.GetOrAddChild(element);
            if (child is JsonObject childObject && childObject.Count > 0)
                Read(childObject, childSet);
            else
                childSet.Member = true;
        }
    }

    /// <summary>Adds every member of <paramref name="other"/> to this set.</summary>
    private void UnionWith(FieldSet other)
    {
        Member |= other.Member;
        foreach (var (element, child) in other.Children)
            GetOrAddChild(element).UnionWith(child);
    }

    private FieldSet? Child(string element)
    {
        if (_children is null)
            return null;
        var index = IndexOf(element);
        return index >= 0 ? _children[index].Value : null;
    }

    private FieldSet GetOrAddChild(string element)
    {
        _children ??= [];
        var index = IndexOf(element);
        if (index >= 0)
            return _children[index].Value;
        var child = new FieldSet();
        _children.Insert(~index, new(element, child));
        return child;
    }

    // Only for elements that come in ascending order (copies of an already sorted list).
    private void AppendChild(string element, FieldSet child) => (_children ??= []).Add(new(element, child));

    private int IndexOf(string element)
    {
        var children = _children!;
        int low = 0, high = children.Count - 1;
        while (low <= high)
        {
            var mid = (low + high) >> 1;
            var order = string.CompareOrdinal(children[mid].Key, element);
            if (order == 0)
                return mid;
            if (order < 0)
                low = mid + 1;
            else
                high = mid - 1;
        }
        return ~low;
    }

    private IEnumerable<IReadOnlyList<string>> PathsUnder(List<string> prefix)
    {
        if (Member)
            yield return prefix.ToArray();
        foreach (var (element, child) in Children)
        {
            prefix.Add(element);
            foreach (var path in child.PathsUnder(prefix))
                yield return path;
            prefix.RemoveAt(prefix.Count - 1);
        }
    }
}
