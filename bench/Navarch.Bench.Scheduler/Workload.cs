using k8s;
using k8s.Models;

namespace Navarch.Bench.Scheduler;

/// <summary>The objects the benchmark creates: hollow nodes, small pods, bindings, an RC, a Deployment (the workloads benchmark links this file).</summary>
internal sealed class Workload(IKubernetes client, int clients)
{
    /// <summary>A scheduler name nobody serves: the baseline's pods are bound by the benchmark itself.</summary>
    public const string NoScheduler = "bench-no-scheduler";

    public static string NodeName(int i) => $"hollow-{i:D5}";

    /// <summary>Creates nodes <paramref name="from"/>..<paramref name="to"/>-1: Node objects only, Ready, 4 cpu, 16Gi, 110 pods.</summary>
    public Task CreateNodesAsync(int from, int to, CancellationToken ct) =>
        Parallel.ForEachAsync(Enumerable.Range(from, to - from), Options(ct), async (i, c) =>
            await client.CoreV1.CreateNodeAsync(HollowNode(NodeName(i)), cancellationToken: c));

    public async Task CreateNamespaceAsync(string ns, CancellationToken ct) =>
        await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = ns } }, cancellationToken: ct);

    /// <summary>Creates <paramref name="count"/> pods for the default scheduler.</summary>
    public Task CreatePodsAsync(string ns, int count, CancellationToken ct) =>
        Parallel.ForEachAsync(Enumerable.Range(0, count), Options(ct), async (i, c) =>
            await client.CoreV1.CreateNamespacedPodAsync(Pod($"pod-{i:D5}", null), ns, cancellationToken: c));

    /// <summary>The API's ceiling: create each pod for no scheduler and bind it at once, round-robin over the nodes, no decision at all.</summary>
    public Task CreateAndBindPodsAsync(string ns, int count, int nodes, CancellationToken ct) =>
        Parallel.ForEachAsync(Enumerable.Range(0, count), Options(ct), async (i, c) =>
        {
            var name = $"pod-{i:D5}";
            await client.CoreV1.CreateNamespacedPodAsync(Pod(name, NoScheduler), ns, cancellationToken: c);
            var binding = new V1Binding
            {
                Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns },
                Target = new V1ObjectReference { ApiVersion = "v1", Kind = "Node", Name = NodeName(i % nodes) },
            };
            await client.CoreV1.CreateNamespacedPodBindingAsync(binding, name, ns, cancellationToken: c);
        });

    public async Task CreateReplicationControllerAsync(string ns, string name, int replicas, CancellationToken ct)
    {
        var labels = new Dictionary<string, string> { ["app"] = name };
        var template = Pod(null, null);
        template.Metadata.Labels = labels;
        await client.CoreV1.CreateNamespacedReplicationControllerAsync(new V1ReplicationController
        {
            Metadata = new V1ObjectMeta { Name = name },
            Spec = new V1ReplicationControllerSpec
            {
                Replicas = replicas,
                Selector = labels,
                Template = new V1PodTemplateSpec { Metadata = template.Metadata, Spec = template.Spec },
            },
        }, ns, cancellationToken: ct);
    }

    /// <summary>A Deployment of the same pods as <see cref="CreateReplicationControllerAsync"/>, with upstream's default strategy.</summary>
    public async Task CreateDeploymentAsync(string ns, string name, int replicas, CancellationToken ct)
    {
        var labels = new Dictionary<string, string> { ["app"] = name };
        var template = Pod(null, null);
        template.Metadata.Labels = labels;
        await client.AppsV1.CreateNamespacedDeploymentAsync(new V1Deployment
        {
            Metadata = new V1ObjectMeta { Name = name },
            Spec = new V1DeploymentSpec
            {
                Replicas = replicas,
                Selector = new V1LabelSelector { MatchLabels = labels },
                Template = new V1PodTemplateSpec { Metadata = template.Metadata, Spec = template.Spec },
            },
        }, ns, cancellationToken: ct);
    }

    private ParallelOptions Options(CancellationToken ct) => new() { MaxDegreeOfParallelism = clients, CancellationToken = ct };

    private static V1Node HollowNode(string name)
    {
        var resources = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("4"), ["memory"] = new("16Gi"), ["pods"] = new("110") };
        return new V1Node
        {
            Metadata = new V1ObjectMeta { Name = name, Labels = new Dictionary<string, string> { ["kubernetes.io/hostname"] = name } },
            Status = new V1NodeStatus
            {
                Capacity = resources,
                Allocatable = resources,
                Conditions = [new V1NodeCondition { Type = "Ready", Status = "True", Reason = "KubeletReady", LastHeartbeatTime = DateTime.UtcNow }],
            },
        };
    }

    private static V1Pod Pod(string? name, string? schedulerName) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, Labels = new Dictionary<string, string> { ["bench"] = "scheduler" } },
        Spec = new V1PodSpec
        {
            SchedulerName = schedulerName,
            Containers = [new V1Container
            {
                Name = "pause",
                Image = "registry.k8s.io/pause:3.10",
                Resources = new V1ResourceRequirements
                {
                    Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("10m"), ["memory"] = new("16Mi") },
                },
            }],
        },
    };
}
