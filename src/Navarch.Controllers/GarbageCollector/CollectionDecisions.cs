using k8s.Models;

namespace Navarch.Controllers.GarbageCollector;

/// <summary>How an owner that an object names stands (upstream's solid / dangling / waitingForDependentsDeletion).</summary>
public enum OwnerState
{
    /// <summary>Exists and is not being deleted in the foreground: the dependent stays.</summary>
    Solid,
    /// <summary>Gone (404) or replaced by another object of the same name (uid differs).</summary>
    Dangling,
    /// <summary>Being deleted in the foreground: its dependents go first.</summary>
    WaitingForDependents,
}

/// <summary>What to do with one dependent.</summary>
public abstract record DependentAction
{
    public sealed record Keep : DependentAction;
    /// <summary>Drop the references to these owner uids (patch), keep the object.</summary>
    public sealed record RemoveOwnerReferences(IReadOnlyList<string> OwnerUids) : DependentAction;
    /// <summary>Delete the object with this propagation policy (Background, Foreground or Orphan).</summary>
    public sealed record Delete(string PropagationPolicy) : DependentAction;
}

/// <summary>What to do with an owner being deleted in the foreground.</summary>
/// <param name="RemoveFinalizer">No dependent blocks it any more: drop foregroundDeletion so the server deletes it.</param>
/// <param name="DeleteDependents">Blocking dependents not yet being deleted: delete them first.</param>
public sealed record ForegroundDecision(bool RemoveFinalizer, IReadOnlyList<GraphNode> DeleteDependents);

/// <summary>The garbage collector's decisions as pure functions (upstream's attemptToDeleteItem and friends).</summary>
public static class CollectionDecisions
{
    /// <summary>
    /// A dependent with owners: keep it while any owner is solid (dropping references to dangling or
    /// foreground-deleting owners); otherwise delete it, in the foreground when an owner waits for it and it has
    /// dependents of its own, else with the policy its own finalizers ask for (background by default).
    /// </summary>
    public static DependentAction Decide(GraphNode item, IReadOnlyDictionary<string, OwnerState> owners, bool hasDependents)
    {
        if (item.Owners.Count == 0 || item.Deleting) return new DependentAction.Keep();
        var solid = item.Owners.Where(o => owners.GetValueOrDefault(o.Uid) == OwnerState.Solid).ToList();
        var notSolid = item.Owners.Where(o => owners.GetValueOrDefault(o.Uid) != OwnerState.Solid).Select(o => o.Uid).ToList();
        if (solid.Count > 0)
            return notSolid.Count == 0 ? new DependentAction.Keep() : new DependentAction.RemoveOwnerReferences(notSolid);
        var waiting = item.Owners.Any(o => owners.GetValueOrDefault(o.Uid) == OwnerState.WaitingForDependents);
        if (waiting && hasDependents) return new DependentAction.Delete("Foreground");
        if (item.Finalizers.Contains(GraphNode.OrphanFinalizer)) return new DependentAction.Delete("Orphan");
        if (item.Finalizers.Contains(GraphNode.ForegroundFinalizer)) return new DependentAction.Delete("Foreground");
        return new DependentAction.Delete("Background");
    }

    /// <summary>
    /// An owner being deleted in the foreground waits for every dependent whose reference to it has
    /// blockOwnerDeletion=true; those not yet being deleted get deleted.
    /// </summary>
    public static ForegroundDecision Foreground(GraphNode owner, IReadOnlyList<GraphNode> dependents)
    {
        var blocking = dependents.Where(d => d.Owners.Any(o => o.Uid == owner.Uid && o.BlockOwnerDeletion == true)).ToList();
        return new ForegroundDecision(blocking.Count == 0, blocking.Where(d => !d.Deleting).ToList());
    }

    /// <summary>The state of an owner as the graph (or a live read) shows it.</summary>
    public static OwnerState StateOf(V1OwnerReference reference, GraphNode? live) =>
        live is null || live.Uid != reference.Uid ? OwnerState.Dangling
        : live.DeletingDependents ? OwnerState.WaitingForDependents
        : OwnerState.Solid;
}
