using k8s.Models;

namespace Navarch.Controllers.Namespace;

/// <summary>What one pass of deleting a namespace's content found.</summary>
/// <param name="DiscoveryError">Discovery failed (message), or null.</param>
/// <param name="DeleteFailures">Resources whose delete failed ("pods: message").</param>
/// <param name="Remaining">Objects left per resource ("pods" or "endpointslices.discovery.k8s.io").</param>
/// <param name="FinalizersRemaining">Objects left per finalizer that holds them.</param>
public sealed record DeletionReport(
    string? DiscoveryError,
    IReadOnlyList<string> DeleteFailures,
    IReadOnlyDictionary<string, int> Remaining,
    IReadOnlyDictionary<string, int> FinalizersRemaining)
{
    public bool Empty => DiscoveryError is null && DeleteFailures.Count == 0 && Remaining.Count == 0;
}

/// <summary>The status conditions of a terminating namespace, with upstream's types, reasons and messages.</summary>
public static class NamespaceConditions
{
    /// <summary>
    /// The conditions <paramref name="report"/> calls for, merged into <paramref name="current"/> (a condition
    /// keeps its lastTransitionTime while its status stays the same).
    /// </summary>
    public static IList<V1NamespaceCondition> Build(IEnumerable<V1NamespaceCondition>? current, DeletionReport report, DateTimeOffset now)
    {
        var wanted = new List<(string Type, bool Failing, string Reason, string Message)>
        {
            report.DiscoveryError is { } d
                ? ("NamespaceDeletionDiscoveryFailure", true, "DiscoveryFailed", $"Discovery failed for some groups, 1 failing: {d}")
                : ("NamespaceDeletionDiscoveryFailure", false, "ResourcesDiscovered", "All resources successfully discovered"),
            ("NamespaceDeletionGroupVersionParsingFailure", false, "ParsedGroupVersions", "All legacy kube types successfully parsed"),
            report.DeleteFailures.Count > 0
                ? ("NamespaceDeletionContentFailure", true, "ContentDeletionFailed",
                    $"Failed to delete all resource types, {report.DeleteFailures.Count} remaining: {string.Join(", ", report.DeleteFailures.Order(StringComparer.Ordinal))}")
                : ("NamespaceDeletionContentFailure", false, "ContentDeleted", "All content successfully deleted, may be waiting on finalization"),
            report.Remaining.Count > 0
                ? ("NamespaceContentRemaining", true, "SomeResourcesRemain",
                    "Some resources are remaining: " + string.Join(", ", report.Remaining.OrderBy(r => r.Key, StringComparer.Ordinal).Select(r => $"{r.Key} has {r.Value} resource instances")))
                : ("NamespaceContentRemaining", false, "ContentRemoved", "All content successfully removed"),
            report.FinalizersRemaining.Count > 0
                ? ("NamespaceFinalizersRemaining", true, "SomeFinalizersRemain",
                    "Some content in the namespace has finalizers remaining: " + string.Join(", ", report.FinalizersRemaining.OrderBy(r => r.Key, StringComparer.Ordinal).Select(r => $"{r.Key} in {r.Value} resource instances")))
                : ("NamespaceFinalizersRemaining", false, "ContentHasNoFinalizers", "All content-preserving finalizers finished"),
        };
        var existing = current?.ToDictionary(c => c.Type) ?? [];
        return wanted.Select(w =>
        {
            var status = w.Failing ? "True" : "False";
            var since = existing.TryGetValue(w.Type, out var old) && old.Status == status ? old.LastTransitionTime : now.UtcDateTime;
            return new V1NamespaceCondition { Type = w.Type, Status = status, Reason = w.Reason, Message = w.Message, LastTransitionTime = since };
        }).ToList();
    }

    /// <summary>True when two condition lists say the same (ignoring times).</summary>
    public static bool Same(IEnumerable<V1NamespaceCondition>? a, IEnumerable<V1NamespaceCondition> b) =>
        (a ?? []).Select(Text).SequenceEqual(b.Select(Text));

    private static string Text(V1NamespaceCondition c) => $"{c.Type}|{c.Status}|{c.Reason}|{c.Message}";
}
