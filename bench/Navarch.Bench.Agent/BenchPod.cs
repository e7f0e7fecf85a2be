using k8s.Models;
using Navarch.Images;
using Navarch.Agent.Pods;
using Navarch.Cri;

namespace Navarch.Bench.Agent;

/// <summary>
/// The pod every start measures: one container of the local pause image (it exits on SIGTERM, so teardown is
/// quick), bound to the node by <c>spec.nodeName</c> so that the scheduler is not in the path. The bare-CRI
/// baseline runs the same pod through the agent's own spec builders, minus the label that makes the agent manage it.
/// </summary>
internal static class BenchPod
{
    /// <summary>The container's image: the sandbox image itself, present on the node.</summary>
    public const string Image = ImageRecipes.PauseName;

    /// <summary>The API object for pod <paramref name="name"/> on <paramref name="nodeName"/>.</summary>
    public static V1Pod For(string name, string podNamespace, string nodeName) => new()
    {
        ApiVersion = "v1",
        Kind = "Pod",
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = podNamespace, Labels = new Dictionary<string, string> { ["app"] = "bench" } },
        Spec = new V1PodSpec
        {
            NodeName = nodeName,
            TerminationGracePeriodSeconds = 2,
            Containers = [new V1Container { Name = "c", Image = Image, ImagePullPolicy = "IfNotPresent" }],
        },
    };

    /// <summary>
    /// The sandbox and container specs the agent would send for <paramref name="name"/> (as a fresh pod with its own
    /// UID), without <see cref="RuntimeLabels.ManagedBy"/>: the agent leaves such runtime objects alone.
    /// </summary>
    public static (SandboxSpec Sandbox, ContainerSpec Container) BareSpecs(string name, string podNamespace, string nodeName, string nodeIp, string logRoot, DnsSpec nodeDns)
    {
        var pod = For(name, podNamespace, nodeName);
        pod.Metadata.Uid = Guid.NewGuid().ToString();
        var sandbox = RuntimeSpecs.Sandbox(pod, 0, nodeDns, logRoot, cgroupRoot: "");
        var container = pod.Spec.Containers[0];
        var env = ContainerEnvironment.Build(pod, container, [], podIp: "", nodeIp);
        var spec = RuntimeSpecs.Container(pod, container, 0, env);
        return (sandbox with { Labels = Unmanaged(sandbox.Labels) }, spec with { Labels = Unmanaged(spec.Labels) });
    }

    private static Dictionary<string, string> Unmanaged(IReadOnlyDictionary<string, string> labels) =>
        labels.Where(l => l.Key != RuntimeLabels.ManagedBy).ToDictionary(l => l.Key, l => l.Value, StringComparer.Ordinal);
}
