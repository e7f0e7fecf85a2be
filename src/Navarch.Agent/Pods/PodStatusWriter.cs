using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Navarch.Agent.Pods;

/// <summary>Writes a pod's status through <c>pods/status</c>, only when it differs from what the API holds.</summary>
public sealed class PodStatusWriter(IKubernetes client)
{
    /// <summary>Whether two statuses are the same as the API would store them.</summary>
    public static bool Same(V1PodStatus? a, V1PodStatus? b) =>
        KubernetesJson.Serialize(a ?? new V1PodStatus()) == KubernetesJson.Serialize(b ?? new V1PodStatus());

    /// <summary>Writes <paramref name="status"/> unless <paramref name="pod"/> has it already; true when it wrote. A pod gone meanwhile is no error.</summary>
    public async Task<bool> WriteAsync(V1Pod pod, V1PodStatus status, CancellationToken ct)
    {
        if (Same(pod.Status, status)) return false;
        // A merge patch replaces the lists it names whole and needs no resourceVersion: the agent owns these fields.
        var body = KubernetesJson.Serialize(new V1Pod { Status = status });
        try
        {
            await client.CoreV1.PatchNamespacedPodStatusAsync(new V1Patch(body, V1Patch.PatchType.MergePatch), pod.Metadata.Name, pod.Metadata.NamespaceProperty, cancellationToken: ct);
            return true;
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return false;
        }
    }
}
