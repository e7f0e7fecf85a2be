using k8s.Models;
using Navarch.Api.Defaulting;

namespace Navarch.Api.Kinds.ReplicationController;

/// <summary>Upstream's SetDefaults_ReplicationController, plus pod spec defaults in its template.</summary>
public static class ReplicationControllerDefaults
{
    public static void Apply(V1ReplicationController rc)
    {
        rc.Spec ??= new V1ReplicationControllerSpec();
        var labels = rc.Spec.Template?.Metadata?.Labels;
        if (labels is not null)
        {
            if (rc.Spec.Selector is null || rc.Spec.Selector.Count == 0)
            {
                rc.Spec.Selector = new Dictionary<string, string>(labels);
            }
            rc.Metadata ??= new V1ObjectMeta();
            if (rc.Metadata.Labels is null || rc.Metadata.Labels.Count == 0)
            {
                rc.Metadata.Labels = new Dictionary<string, string>(labels);
            }
        }
        rc.Spec.Replicas ??= 1;
        if (rc.Spec.Template?.Spec is { } podSpec)
        {
            PodDefaults.ApplySpec(podSpec);
        }
    }
}
