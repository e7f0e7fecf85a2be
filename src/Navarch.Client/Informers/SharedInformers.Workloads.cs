using k8s.Models;

namespace Navarch.Client.Informers;

/// <summary>The shared informers of the apps/v1 and batch/v1 workload kinds.</summary>
public sealed partial class SharedInformers
{
    public Informer<V1ReplicaSet> ReplicaSets => Get(() => WorkloadListWatches.ReplicaSets(client));
    public Informer<V1Deployment> Deployments => Get(() => WorkloadListWatches.Deployments(client));
    public Informer<V1DaemonSet> DaemonSets => Get(() => WorkloadListWatches.DaemonSets(client));
    public Informer<V1ControllerRevision> ControllerRevisions => Get(() => WorkloadListWatches.ControllerRevisions(client));
    public Informer<V1Job> Jobs => Get(() => WorkloadListWatches.Jobs(client));
    public Informer<V1CronJob> CronJobs => Get(() => WorkloadListWatches.CronJobs(client));
}
