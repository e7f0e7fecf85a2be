using k8s.Models;
using Navarch.Controllers.PodControl;

namespace Navarch.Controllers.Tests.ReplicationManager;

/// <summary>Small pod and controller builders for the decision tests.</summary>
internal static class Pods
{
    public static readonly DateTime Now = new(2026, 11, 1, 12, 0, 0, DateTimeKind.Utc);

    /// <summary>The seed's RC as the replica controller sees it (a ReplicaSet view).</summary>
    public static V1ReplicaSet Rc(int replicas = 2, string uid = "rc-uid", bool deleting = false, int minReady = 0, V1LabelSelector? selector = null) => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = "nginx-controller", NamespaceProperty = "default", Uid = uid, Generation = 3,
            DeletionTimestamp = deleting ? Now : null,
        },
        Spec = new V1ReplicaSetSpec
        {
            Replicas = replicas,
            MinReadySeconds = minReady,
            Selector = selector ?? new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["name"] = "nginx" } },
            Template = new V1PodTemplateSpec
            {
                Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["name"] = "nginx", ["tier"] = "web" } },
                Spec = new V1PodSpec { Containers = [new V1Container { Name = "nginx", Image = "nginx" }] },
            },
        },
    };

    public static V1Pod Pod(string name, string? owner = "rc-uid", string labels = "name=nginx,tier=web", string phase = "Pending",
        string? node = null, bool ready = false, DateTime? readySince = null, int restarts = 0, DateTime? created = null,
        bool deleting = false, string? cost = null) => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = name, NamespaceProperty = "default", Uid = "uid-" + name,
            Labels = labels.Length == 0 ? null : labels.Split(',').Select(l => l.Split('=')).ToDictionary(p => p[0], p => p[1]),
            OwnerReferences = owner is null ? null : [new V1OwnerReference { ApiVersion = "v1", Kind = "ReplicationController", Name = "nginx-controller", Uid = owner, Controller = true }],
            CreationTimestamp = created ?? Now.AddHours(-1),
            DeletionTimestamp = deleting ? Now : null,
            Annotations = cost is null ? null : new Dictionary<string, string> { [DeletionRanking.DeletionCostAnnotation] = cost },
        },
        Spec = new V1PodSpec { NodeName = node },
        Status = new V1PodStatus
        {
            Phase = phase,
            Conditions = ready ? [new V1PodCondition { Type = "Ready", Status = "True", LastTransitionTime = readySince ?? Now.AddHours(-1) }] : null,
            ContainerStatuses = [new V1ContainerStatus { Name = "nginx", RestartCount = restarts }],
        },
    };
}
