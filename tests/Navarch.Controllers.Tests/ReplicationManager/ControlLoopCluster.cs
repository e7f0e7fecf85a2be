using k8s;
using k8s.Models;
using Navarch.Testing;

namespace Navarch.Controllers.Tests.ReplicationManager;

/// <summary>
/// One real <c>navarch server</c> (controllers on, scheduler off: pods stay unbound, so deletes are immediate)
/// shared by the ReplicationController, garbage collector and namespace tests; each test works in a namespace of its own.
/// </summary>
public sealed class ControlLoopCluster : IAsyncLifetime
{
    private int _namespaces;

    public ServerProcess Server { get; private set; } = null!;
    public IKubernetes Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await ServerProcess.StartSecureAsync("--disable-scheduler");
        Client = new Kubernetes(new KubernetesClientConfiguration { Host = Server.Url });
    }

    public async Task DisposeAsync()
    {
        Client?.Dispose();
        if (Server is not null) await Server.DisposeExpectingNoRefusalsAsync();
    }

    /// <summary>Creates a fresh namespace named after <paramref name="prefix"/>.</summary>
    public async Task<string> NamespaceAsync(string prefix)
    {
        var name = $"{prefix}-{Interlocked.Increment(ref _namespaces)}";
        await Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = name } });
        return name;
    }

    /// <summary>Creates the seed's nginx RC (with <paramref name="replicas"/>) in <paramref name="ns"/>.</summary>
    public Task<V1ReplicationController> CreateSeedRcAsync(string ns, int replicas = 2)
    {
        var rc = KubernetesYaml.Deserialize<V1ReplicationController>(Seed.NginxRc);
        rc.Spec.Replicas = replicas;
        return Client.CoreV1.CreateNamespacedReplicationControllerAsync(rc, ns);
    }

    /// <summary>Pods of <paramref name="ns"/> that are not terminating.</summary>
    public async Task<IReadOnlyList<V1Pod>> ActivePodsAsync(string ns) =>
        (await Client.CoreV1.ListNamespacedPodAsync(ns)).Items.Where(p => p.Metadata.DeletionTimestamp is null).ToList();

    /// <summary>Waits until <paramref name="ns"/> has exactly <paramref name="count"/> active pods owned by <paramref name="rcUid"/>.</summary>
    public Task WaitForOwnedPodsAsync(string phase, string ns, string rcUid, int count)
    {
        IReadOnlyList<V1Pod> last = [];
        return Poll.UntilAsync(phase, async () =>
        {
            last = await ActivePodsAsync(ns);
            return last.Count(p => p.Metadata.OwnerReferences?.Any(o => o.Uid == rcUid && o.Controller == true) == true) == count;
        }, lastSeen: () => string.Join("\n", last.Select(p => $"{p.Metadata.Name} owners={p.Metadata.OwnerReferences?.Count ?? 0}")) + "\n" + Tail(Server.Output));
    }

    public static string Tail(string text) => text.Length > 3000 ? text[^3000..] : text;
}

[CollectionDefinition(Name)]
public sealed class ControlLoopClusterCollection : ICollectionFixture<ControlLoopCluster>
{
    public const string Name = "replication, garbage collection and namespace loops";
}
