using k8s;
using k8s.Models;
using Navarch.Client.Informers;
using Navarch.Controllers.ReplicaSet;

namespace Navarch.Controllers.ReplicationManager;

/// <summary>
/// ReplicationControllers seen as ReplicaSets (upstream's replication manager is the ReplicaSet controller over
/// converted RCs): the equality selector becomes matchLabels, status converts field for field.
/// </summary>
public sealed class ReplicationControllerKind(IKubernetes client, Informer<V1ReplicationController> informer) : ReplicaKind<V1ReplicationController>(informer)
{
    public override string LoopName => "replicationmanager";
    public override string EventSource => "replication-controller";
    public override string ApiVersion => "v1";
    public override string Kind => "ReplicationController";

    protected override V1ReplicaSet View(V1ReplicationController rc) => new()
    {
        ApiVersion = ApiVersion,
        Kind = Kind,
        Metadata = rc.Metadata,
        Spec = new V1ReplicaSetSpec
        {
            // An RC without replicas means one (its defaulting); a selector-less RC matches nothing here.
            Replicas = rc.Spec?.Replicas ?? 1,
            MinReadySeconds = rc.Spec?.MinReadySeconds,
            Selector = new V1LabelSelector { MatchLabels = rc.Spec?.Selector },
            Template = rc.Spec?.Template,
        },
        Status = rc.Status is { } s ? new V1ReplicaSetStatus
        {
            Replicas = s.Replicas,
            FullyLabeledReplicas = s.FullyLabeledReplicas,
            ReadyReplicas = s.ReadyReplicas,
            AvailableReplicas = s.AvailableReplicas,
            ObservedGeneration = s.ObservedGeneration,
            Conditions = s.Conditions?.Select(c => new V1ReplicaSetCondition
            {
                Type = c.Type, Status = c.Status, Reason = c.Reason, Message = c.Message, LastTransitionTime = c.LastTransitionTime,
            }).ToList(),
        } : null,
    };

    public override async Task<V1ReplicaSet> ReadAsync(string ns, string name, CancellationToken ct) =>
        View(await client.CoreV1.ReadNamespacedReplicationControllerAsync(name, ns, cancellationToken: ct));

    public override Task ReplaceStatusAsync(V1ReplicaSet current, V1ReplicaSetStatus status, CancellationToken ct)
    {
        // The status subresource takes only status from the body (and metadata's resourceVersion as the guard).
        var rc = new V1ReplicationController
        {
            ApiVersion = ApiVersion,
            Kind = Kind,
            Metadata = KubernetesJson.Deserialize<V1ObjectMeta>(KubernetesJson.Serialize(current.Metadata)),
            Spec = new V1ReplicationControllerSpec
            {
                Replicas = current.Spec.Replicas,
                MinReadySeconds = current.Spec.MinReadySeconds,
                Selector = current.Spec.Selector?.MatchLabels,
                Template = current.Spec.Template,
            },
            Status = new V1ReplicationControllerStatus
            {
                Replicas = status.Replicas,
                FullyLabeledReplicas = status.FullyLabeledReplicas,
                ReadyReplicas = status.ReadyReplicas,
                AvailableReplicas = status.AvailableReplicas,
                ObservedGeneration = status.ObservedGeneration,
                Conditions = status.Conditions?.Select(c => new V1ReplicationControllerCondition
                {
                    Type = c.Type, Status = c.Status, Reason = c.Reason, Message = c.Message, LastTransitionTime = c.LastTransitionTime,
                }).ToList(),
            },
        };
        return client.CoreV1.ReplaceNamespacedReplicationControllerStatusAsync(rc, rc.Metadata.Name, rc.Metadata.NamespaceProperty, cancellationToken: ct);
    }
}
