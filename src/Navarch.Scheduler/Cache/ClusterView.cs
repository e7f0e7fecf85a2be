using k8s.Models;
using Navarch.Api.Selectors;
using Navarch.Client.Informers;
using Navarch.Scheduler.Framework;

namespace Navarch.Scheduler.Cache;

/// <summary>
/// The snapshot a cycle sees: the cache's nodes (valid while the caller holds <see cref="SchedulerCache.Sync"/>)
/// and, for spreading, the selectors of the services and replication controllers that select the pod.
/// </summary>
public sealed class ClusterView(SchedulerCache cache, Informer<V1Service> services, Informer<V1ReplicationController> controllers) : IClusterSnapshot
{
    public IReadOnlyList<NodeInfo> Nodes => cache.Nodes;

    public IReadOnlyList<LabelSelector> SpreadSelectors(V1Pod pod)
    {
        var ns = pod.Metadata.NamespaceProperty;
        var labels = pod.Metadata.Labels;
        if (labels is null || labels.Count == 0) return [];
        List<LabelSelector>? found = null;
        foreach (var service in services.List(ns))
            Consider(service.Spec?.Selector);
        foreach (var rc in controllers.List(ns))
            Consider(rc.Spec?.Selector);
        return found ?? (IReadOnlyList<LabelSelector>)[];

        void Consider(IDictionary<string, string>? selector)
        {
            if (selector is not { Count: > 0 }) return;
            var s = LabelSelector.FromSet(selector);
            if (s.Matches(labels)) (found ??= []).Add(s);
        }
    }
}
