using k8s.Models;
using Navarch.Controllers.Deployment;

namespace Navarch.Controllers.Tests.Deployment;

/// <summary>Deployment and ReplicaSet builders for the rollout tests.</summary>
internal static class Deployments
{
    public static readonly DateTimeOffset Now = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);

    public static V1Deployment NewDeployment(int replicas = 3, string? maxSurge = null, string? maxUnavailable = null, string strategy = "RollingUpdate",
        string image = "nginx", int? progressDeadline = 600, int? historyLimit = 10, int generation = 1) => new()
    {
        ApiVersion = "apps/v1",
        Kind = "Deployment",
        Metadata = new V1ObjectMeta { Name = "web", NamespaceProperty = "default", Uid = "d-uid", Generation = generation },
        Spec = new V1DeploymentSpec
        {
            Replicas = replicas,
            Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "web" } },
            Strategy = new V1DeploymentStrategy
            {
                Type = strategy,
                RollingUpdate = strategy == "RollingUpdate" && (maxSurge ?? maxUnavailable) is not null
                    ? new V1RollingUpdateDeployment { MaxSurge = maxSurge, MaxUnavailable = maxUnavailable }
                    : null,
            },
            ProgressDeadlineSeconds = progressDeadline,
            RevisionHistoryLimit = historyLimit,
            Template = Template(image),
        },
        Status = new V1DeploymentStatus(),
    };

    public static V1PodTemplateSpec Template(string image) => new()
    {
        Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = "web" } },
        Spec = new V1PodSpec { Containers = [new V1Container { Name = "nginx", Image = image }] },
    };

    /// <summary>A set of the Deployment with <paramref name="replicas"/> wanted, <paramref name="available"/> available.</summary>
    public static V1ReplicaSet Set(string name, int replicas, int available, string image = "nginx", long revision = 1, int ageMinutes = 10,
        int? desired = null, int? max = null, int? actual = null)
    {
        var template = Template(image);
        template.Metadata.Labels[PodTemplateHash.Label] = name;
        var annotations = new Dictionary<string, string> { [Revisions.Revision] = revision.ToString() };
        if (desired is { } d) annotations[Revisions.DesiredReplicas] = d.ToString();
        if (max is { } m) annotations[Revisions.MaxReplicas] = m.ToString();
        return new V1ReplicaSet
        {
            Metadata = new V1ObjectMeta
            {
                Name = name, NamespaceProperty = "default", Uid = name + "-uid", Annotations = annotations,
                CreationTimestamp = Now.UtcDateTime.AddMinutes(-ageMinutes), Generation = 1,
            },
            Spec = new V1ReplicaSetSpec { Replicas = replicas, Template = template },
            Status = new V1ReplicaSetStatus { Replicas = actual ?? replicas, ReadyReplicas = available, AvailableReplicas = available, ObservedGeneration = 1 },
        };
    }
}
