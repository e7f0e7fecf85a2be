using k8s.Models;

namespace Navarch.Client.Informers;

/// <summary>The shared informers of the apps/v1 and batch/v1 workload kinds.</summary>
public sealed partial class SharedInformers
{
    public Informer<V1ReplicaSet> ReplicaSets => For<V1ReplicaSet>();
    public Informer<V1Deployment> Deployments => For<V1Deployment>();
    public Informer<V1DaemonSet> DaemonSets => For<V1DaemonSet>();
    public Informer<V1ControllerRevision> ControllerRevisions => For<V1ControllerRevision>();
    public Informer<V1Job> Jobs => For<V1Job>();
    public Informer<V1CronJob> CronJobs => For<V1CronJob>();
}
