using k8s;
using k8s.Models;

namespace Navarch.Controllers.GarbageCollector;

/// <summary>What the garbage collector knows of one object: who it is, who owns it, whether it is going.</summary>
public sealed record GraphNode(
    string ApiVersion, string Kind, string? Namespace, string Name, string Uid,
    IReadOnlyList<V1OwnerReference> Owners, bool Deleting, IReadOnlyList<string> Finalizers)
{
    public const string OrphanFinalizer = "orphan";
    public const string ForegroundFinalizer = "foregroundDeletion";

    /// <summary>Being deleted in the foreground: waits for its blocking dependents to go.</summary>
    public bool DeletingDependents => Deleting && Finalizers.Contains(ForegroundFinalizer);

    /// <summary>Being deleted with orphaning: waits for its dependents to lose their reference to it.</summary>
    public bool Orphaning => Deleting && Finalizers.Contains(OrphanFinalizer);

    public static GraphNode Of(IKubernetesObject<V1ObjectMeta> obj, string apiVersion, string kind) => new(
        apiVersion, kind, obj.Metadata.NamespaceProperty, obj.Metadata.Name, obj.Metadata.Uid,
        obj.Metadata.OwnerReferences?.ToList() ?? [], obj.Metadata.DeletionTimestamp is not null,
        obj.Metadata.Finalizers?.ToList() ?? []);

    public override string ToString() => $"{Kind} {(Namespace is null ? "" : Namespace + "/")}{Name} ({Uid})";
}

/// <summary>
/// The ownership graph over every object the collector watches: nodes by uid and, for each owner uid
/// (watched or not), the uids of its dependents. Thread-safe; informer handlers write it, workers read it.
/// </summary>
public sealed class OwnerGraph
{
    // Guards both maps.
    private readonly object _lock = new();
    private readonly Dictionary<string, GraphNode> _nodes = [];
    private readonly Dictionary<string, HashSet<string>> _dependents = [];

    /// <summary>Adds or replaces a node; returns the version it replaced, if any.</summary>
    public GraphNode? Observe(GraphNode node)
    {
        lock (_lock)
        {
            _nodes.TryGetValue(node.Uid, out var old);
            if (old is not null) Unlink(old);
            _nodes[node.Uid] = node;
            foreach (var owner in node.Owners)
            {
                if (!_dependents.TryGetValue(owner.Uid, out var set)) _dependents[owner.Uid] = set = [];
                set.Add(node.Uid);
            }
            return old;
        }
    }

    /// <summary>Removes a node (its object is gone); returns it, or null when it was unknown.</summary>
    public GraphNode? Remove(string uid)
    {
        lock (_lock)
        {
            if (!_nodes.Remove(uid, out var old)) return null;
            Unlink(old);
            return old;
        }
    }

    public GraphNode? Get(string uid)
    {
        lock (_lock) return _nodes.GetValueOrDefault(uid);
    }

    /// <summary>The watched objects that name <paramref name="ownerUid"/> as an owner.</summary>
    public IReadOnlyList<GraphNode> DependentsOf(string ownerUid)
    {
        lock (_lock)
            return _dependents.TryGetValue(ownerUid, out var set) ? set.Select(uid => _nodes[uid]).ToList() : [];
    }

    private void Unlink(GraphNode node)
    {
        foreach (var owner in node.Owners)
            if (_dependents.TryGetValue(owner.Uid, out var set) && set.Remove(node.Uid) && set.Count == 0)
                _dependents.Remove(owner.Uid);
    }
}
