using k8s;
using Navarch.Testing;

namespace Navarch.Controllers.Tests.Endpoints;

/// <summary>A real server (controllers on, scheduler off: tests bind pods themselves) with two fake nodes, shared by a test class.</summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    public ServerProcess Server { get; private set; } = null!;
    public IKubernetes Client { get; private set; } = null!;
    public FakeNodes Nodes { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await ServerProcess.StartSecureAsync("--disable-scheduler", "--cluster-cidr", "10.244.0.0/16");
        Client = new Kubernetes(new KubernetesClientConfiguration { Host = Server.Url });
        Nodes = await FakeNodes.StartAsync(Client, new FakeNodeOptions { Count = 2 });
    }

    public async Task DisposeAsync()
    {
        if (Nodes is not null) await Nodes.DisposeAsync();
        Client?.Dispose();
        if (Server is not null) await Server.DisposeExpectingNoRefusalsAsync();
    }
}
