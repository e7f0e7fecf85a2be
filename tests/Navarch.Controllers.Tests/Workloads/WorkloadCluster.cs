using k8s;
using k8s.Models;
using Navarch.Testing;

namespace Navarch.Controllers.Tests.Workloads;

/// <summary>
/// A real <c>navarch server</c> (controllers and scheduler) with three fake nodes whose stand-in kubelet decides a
/// pod's fate by its first image: <c>fake/succeed</c> and <c>fake/fail</c> finish, <c>nginx:bad</c> never turns ready,
/// anything else runs ready. Shared by the workload tests; each works in a namespace of its own.
/// </summary>
public sealed class WorkloadCluster : IAsyncLifetime
{
    public const string Succeeds = "fake/succeed", Fails = "fake/fail", NeverReady = "nginx:bad";
    private int _namespaces;

    public ServerProcess Server { get; private set; } = null!;
    public IKubernetes Client { get; private set; } = null!;
    public FakeNodes Nodes { get; private set; } = null!;

    public static FakePodOutcome OutcomeByImage(V1Pod pod) => pod.Spec?.Containers?.FirstOrDefault()?.Image switch
    {
        Succeeds => FakePodOutcome.Succeeded,
        Fails => FakePodOutcome.Failed,
        NeverReady => FakePodOutcome.NeverReady,
        _ => FakePodOutcome.Ready,
    };

    public async Task InitializeAsync()
    {
        Server = await ServerProcess.StartSecureAsync();
        Client = new Kubernetes(new KubernetesClientConfiguration { Host = Server.Url });
        Nodes = await FakeNodes.StartAsync(Client, new FakeNodeOptions { Count = 3, PodOutcome = OutcomeByImage });
    }

    public async Task DisposeAsync()
    {
        if (Nodes is not null) await Nodes.DisposeAsync();
        Client?.Dispose();
        if (Server is not null) await Server.DisposeExpectingNoRefusalsAsync();
    }

    public async Task<string> NamespaceAsync(string prefix)
    {
        var name = $"{prefix}-{Interlocked.Increment(ref _namespaces)}";
        await Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = name } });
        return name;
    }

    public static string Tail(string text) => text.Length > 3000 ? text[^3000..] : text;
}

[CollectionDefinition(Name)]
public sealed class WorkloadClusterCollection : ICollectionFixture<WorkloadCluster>
{
    public const string Name = "deployments, daemon sets and jobs on fake nodes";
}
