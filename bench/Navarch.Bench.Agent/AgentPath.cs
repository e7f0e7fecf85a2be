using k8s;
using k8s.Models;

namespace Navarch.Bench.Agent;

/// <summary>
/// A pod started the way users start one: created through the API with <c>spec.nodeName</c> set; the agent
/// sees it through its watch, runs it through CRI and writes its status; the benchmark sees Running through its own watch.
/// </summary>
internal sealed class AgentPath(IKubernetes client, RunningWatch watch, string podNamespace, string nodeName)
{
    private static readonly TimeSpan RunningTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Creates pod <paramref name="name"/>; returns the Stopwatch timestamp at which the watch showed it Running.</summary>
    public async Task<long> StartAsync(string name, CancellationToken ct)
    {
        await client.CoreV1.CreateNamespacedPodAsync(BenchPod.For(name, podNamespace, nodeName), podNamespace, cancellationToken: ct);
        return await watch.RunningAtAsync(name, RunningTimeout).WaitAsync(ct);
    }

    /// <summary>Deletes pods <paramref name="names"/> and waits until the API no longer has them (the agent stopped them).</summary>
    public async Task DeleteAsync(IEnumerable<string> names, CancellationToken ct)
    {
        var pending = names.ToHashSet();
        foreach (var name in pending)
            await client.CoreV1.DeleteNamespacedPodAsync(name, podNamespace, cancellationToken: ct);
        await Navarch.Testing.Poll.UntilAsync($"pods {string.Join(", ", pending)} deleted by the agent", async () =>
        {
            var left = (await client.CoreV1.ListNamespacedPodAsync(podNamespace, cancellationToken: ct)).Items.Select(p => p.Metadata.Name);
            return !left.Intersect(pending).Any();
        }, TimeSpan.FromSeconds(30));
    }

    /// <summary>Creates the namespace <paramref name="name"/>.</summary>
    public static Task CreateNamespaceAsync(IKubernetes client, string name, CancellationToken ct) =>
        client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = name } }, cancellationToken: ct);
}
