using k8s;
using k8s.Models;

namespace Navarch.Client.Informers;

/// <summary>List-watch pairs for the apps/v1 and batch/v1 workload kinds (kept apart from <see cref="ListWatches"/> until list/watch is generic).</summary>
public static class WorkloadListWatches
{
    private const int WatchTimeoutSeconds = 300;

    public static ListWatch<V1ReplicaSet> ReplicaSets(IKubernetes client) => new(
        async ct =>
        {
            var l = await client.AppsV1.ListReplicaSetForAllNamespacesAsync(cancellationToken: ct);
            return (l.Items.ToList(), l.Metadata.ResourceVersion);
        },
        (rv, ct) => client.AppsV1.WatchListReplicaSetForAllNamespacesAsync(resourceVersion: rv, allowWatchBookmarks: true,
            timeoutSeconds: WatchTimeoutSeconds, cancellationToken: ct));

    public static ListWatch<V1Deployment> Deployments(IKubernetes client) => new(
        async ct =>
        {
            var l = await client.AppsV1.ListDeploymentForAllNamespacesAsync(cancellationToken: ct);
            return (l.Items.ToList(), l.Metadata.ResourceVersion);
        },
        (rv, ct) => client.AppsV1.WatchListDeploymentForAllNamespacesAsync(resourceVersion: rv, allowWatchBookmarks: true,
            timeoutSeconds: WatchTimeoutSeconds, cancellationToken: ct));

    public static ListWatch<V1DaemonSet> DaemonSets(IKubernetes client) => new(
        async ct =>
        {
            var l = await client.AppsV1.ListDaemonSetForAllNamespacesAsync(cancellationToken: ct);
            return (l.Items.ToList(), l.Metadata.ResourceVersion);
        },
        (rv, ct) => client.AppsV1.WatchListDaemonSetForAllNamespacesAsync(resourceVersion: rv, allowWatchBookmarks: true,
            timeoutSeconds: WatchTimeoutSeconds, cancellationToken: ct));

    public static ListWatch<V1ControllerRevision> ControllerRevisions(IKubernetes client) => new(
        async ct =>
        {
            var l = await client.AppsV1.ListControllerRevisionForAllNamespacesAsync(cancellationToken: ct);
            return (l.Items.ToList(), l.Metadata.ResourceVersion);
        },
        (rv, ct) => client.AppsV1.WatchListControllerRevisionForAllNamespacesAsync(resourceVersion: rv, allowWatchBookmarks: true,
            timeoutSeconds: WatchTimeoutSeconds, cancellationToken: ct));

    public static ListWatch<V1Job> Jobs(IKubernetes client) => new(
        async ct =>
        {
            var l = await client.BatchV1.ListJobForAllNamespacesAsync(cancellationToken: ct);
            return (l.Items.ToList(), l.Metadata.ResourceVersion);
        },
        (rv, ct) => client.BatchV1.WatchListJobForAllNamespacesAsync(resourceVersion: rv, allowWatchBookmarks: true,
            timeoutSeconds: WatchTimeoutSeconds, cancellationToken: ct));

    public static ListWatch<V1CronJob> CronJobs(IKubernetes client) => new(
        async ct =>
        {
            var l = await client.BatchV1.ListCronJobForAllNamespacesAsync(cancellationToken: ct);
            return (l.Items.ToList(), l.Metadata.ResourceVersion);
        },
        (rv, ct) => client.BatchV1.WatchListCronJobForAllNamespacesAsync(resourceVersion: rv, allowWatchBookmarks: true,
            timeoutSeconds: WatchTimeoutSeconds, cancellationToken: ct));
}
