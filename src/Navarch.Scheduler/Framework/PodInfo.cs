using k8s.Models;
using Navarch.Client.Informers;

namespace Navarch.Scheduler.Framework;

/// <summary>A pod with what scheduling needs of it computed once: its key, requests and host ports. Immutable.</summary>
public sealed class PodInfo
{
    public PodInfo(V1Pod pod)
    {
        Pod = pod;
        Key = ObjectKey.Of(pod);
        Namespace = pod.Metadata.NamespaceProperty ?? "";
        Terminating = pod.Metadata.DeletionTimestamp is not null;
        LabelKey = KeyOf(pod.Metadata.Labels, Terminating);
        Requests = PodRequests.Of(pod.Spec, nonZero: false);
        NonZeroRequests = PodRequests.Of(pod.Spec, nonZero: true);
        HostPorts = HostPort.Of(pod.Spec);
    }

    public V1Pod Pod { get; }
    /// <summary><c>namespace/name</c>.</summary>
    public string Key { get; }
    public string Namespace { get; }
    /// <summary>metadata.deletionTimestamp is set.</summary>
    public bool Terminating { get; }
    /// <summary>The labels in a canonical text (sorted), plus the deletion state: equal for pods that match the same selectors.</summary>
    public string LabelKey { get; }
    /// <summary>What the pod requests (Pods = 1), for fitting.</summary>
    public Resources Requests { get; }
    /// <summary>Requests with upstream's defaults for containers without any, for scoring.</summary>
    public Resources NonZeroRequests { get; }
    public IReadOnlyList<HostPort> HostPorts { get; }

    private static string KeyOf(IDictionary<string, string>? labels, bool terminating)
    {
        var prefix = terminating ? "~" : "";
        if (labels is null || labels.Count == 0) return prefix;
        return prefix + string.Join(",", labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}"));
    }
}
