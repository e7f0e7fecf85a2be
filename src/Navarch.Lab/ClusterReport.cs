using System.Text;
using k8s.Models;

namespace Navarch.Lab;

/// <summary>
/// The text kube-up prints once the cluster validates (WALKTHROUGH.md §1), for the lab's nodes. The LABELS column
/// shows the labels a user gave the node: the well-known ones every agent sets (<c>kubernetes.io/…</c>) are left out,
/// as the 2015 cluster had none, so a fresh lab shows <c>&lt;none&gt;</c> as the walkthrough does.
/// </summary>
public static class ClusterReport
{
    /// <summary>Whether the node's Ready condition is True.</summary>
    public static bool IsReady(V1Node node) => node.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true;

    /// <summary>
    /// Whether the scheduler may place pods on the node: Ready is not enough, since the node lifecycle controller
    /// lifts its <c>node.kubernetes.io/…</c> taints (not-ready, unreachable) a moment after the node turned Ready.
    /// </summary>
    public static bool IsSchedulable(V1Node node) =>
        IsReady(node) && node.Spec?.Unschedulable != true
        && node.Spec?.Taints?.Any(t => t.Key.StartsWith("node.kubernetes.io/", StringComparison.Ordinal) && t.Effect is "NoSchedule" or "NoExecute") != true;

    /// <summary>The kube-up text for <paramref name="nodes"/>, ending with how kubectl on this host reaches the API.</summary>
    public static string Render(string masterAddress, int apiPort, int hostPort, IReadOnlyList<V1Node> nodes, string? kubeconfig = null)
    {
        var rows = nodes.OrderBy(n => n.Metadata.Name, StringComparer.Ordinal)
            .Select(n => new[] { n.Metadata.Name, UserLabels(n), IsReady(n) ? "Ready" : "NotReady" })
            .Prepend(["NAME", "LABELS", "STATUS"])
            .ToList();
        var widths = Enumerable.Range(0, 3).Select(i => rows.Max(r => r[i].Length) + 3).ToArray();
        var text = new StringBuilder()
            .Append("Kubernetes cluster is running. The master is running at:\n")
            .Append($"http://{masterAddress}\n")
            .Append("... calling validate-cluster\n")
            .Append($"Found {nodes.Count} nodes.\n");
        foreach (var row in rows)
            text.Append("  ").Append(row[0].PadRight(widths[0])).Append(row[1].PadRight(widths[1])).Append(row[2]).Append('\n');
        return text
            .Append("Cluster validation succeeded\n")
            .Append($"Kubernetes master is running at http://{masterAddress}:{apiPort}\n")
            .Append($"kubectl on this host reaches it at http://127.0.0.1:{hostPort} (e.g. kubectl -s http://127.0.0.1:{hostPort} get nodes)\n")
            .Append(kubeconfig is null ? "" : $"or over TLS as the cluster's admin:\nexport KUBECONFIG={kubeconfig}\n")
            .ToString();
    }

    private static string UserLabels(V1Node node)
    {
        var labels = (node.Metadata.Labels ?? new Dictionary<string, string>())
            .Where(l => !IsWellKnown(l.Key))
            .OrderBy(l => l.Key, StringComparer.Ordinal)
            .Select(l => $"{l.Key}={l.Value}")
            .ToArray();
        return labels.Length == 0 ? "<none>" : string.Join(',', labels);
    }

    private static bool IsWellKnown(string key)
    {
        var slash = key.IndexOf('/');
        var prefix = slash < 0 ? "" : key[..slash];
        return prefix == "kubernetes.io" || prefix.EndsWith(".kubernetes.io", StringComparison.Ordinal);
    }
}
