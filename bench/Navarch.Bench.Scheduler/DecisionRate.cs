using System.Diagnostics;
using k8s.Models;
using Navarch.Api.Selectors;
using Navarch.Scheduler.Cache;
using Navarch.Scheduler.Framework;
using Navarch.Scheduler.Plugins;

namespace Navarch.Bench.Scheduler;

/// <summary>
/// The scheduling cycle alone, in this process, no API: <c>nodes</c> hollow nodes already holding
/// <c>existing</c> pods, then <c>pods</c> decisions (and assumptions) for pods of one controller, so the spreading
/// score runs too. Shows how far the decisions are from being the bottleneck.
/// </summary>
internal static class DecisionRate
{
    public static double Measure(int nodes, int existing, int pods)
    {
        var cache = new SchedulerCache();
        for (var i = 0; i < nodes; i++) cache.AddOrUpdateNode(Node(Workload.NodeName(i)));
        for (var i = 0; i < existing; i++) cache.AddOrUpdatePod(Pod($"existing-{i}", $"ns-{i % 4}", Workload.NodeName(i % nodes), new() { ["bench"] = "scheduler" }));
        var labels = new Dictionary<string, string> { ["app"] = "bench" };
        var snapshot = new StaticSnapshot(cache.Nodes, [LabelSelector.FromSet(labels)]);
        var cycle = new SchedulingCycle(DefaultProfile.Create());
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < pods; i++)
        {
            var pod = new PodInfo(Pod($"rc-{i}", "rc", null, labels));
            var result = cycle.Schedule(pod, snapshot);
            if (!result.Succeeded) throw new InvalidOperationException(result.FailureMessage);
            cache.Assume(pod, result.NodeName!);
        }
        return pods / clock.Elapsed.TotalSeconds;
    }

    private static V1Node Node(string name)
    {
        var resources = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("4"), ["memory"] = new("16Gi"), ["pods"] = new("110") };
        return new V1Node
        {
            Metadata = new V1ObjectMeta { Name = name },
            Status = new V1NodeStatus { Allocatable = resources, Conditions = [new V1NodeCondition { Type = "Ready", Status = "True" }] },
        };
    }

    private static V1Pod Pod(string name, string ns, string? node, Dictionary<string, string> labels) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns, Labels = labels },
        Spec = new V1PodSpec
        {
            NodeName = node,
            Containers = [new V1Container
            {
                Name = "pause",
                Resources = new V1ResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("10m"), ["memory"] = new("16Mi") } },
            }],
        },
    };
}
