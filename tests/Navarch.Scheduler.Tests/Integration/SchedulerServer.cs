using k8s;
using k8s.Models;
using Navarch.Testing;

namespace Navarch.Scheduler.Tests.Integration;

/// <summary>
/// One real <c>navarch server</c> (its scheduler on, controller manager off, so tests create pods themselves)
/// with three ready nodes of 4 cpu / 16Gi / 110 pods, shared by the tests of a class.
/// </summary>
public sealed class SchedulerServer : IAsyncLifetime
{
    public static readonly string[] NodeNames = ["node-1", "node-2", "node-3"];

    private ServerProcess? _server;

    public IKubernetes Client { get; private set; } = null!;
    public string Output => _server?.Output ?? "";

    public async Task InitializeAsync()
    {
        _server = await ServerProcess.StartAsync("--disable-controller-manager");
        Client = new Kubernetes(new KubernetesClientConfiguration { Host = _server.Url });
        foreach (var name in NodeNames) await Client.CoreV1.CreateNodeAsync(Node(name, "4"));
    }

    public async Task DisposeAsync()
    {
        Client?.Dispose();
        if (_server is not null) await _server.DisposeAsync();
    }

    /// <summary>A hollow node: a Node object, Ready, with this much cpu, 16Gi and room for 110 pods.</summary>
    public static V1Node Node(string name, string cpu) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, Labels = new Dictionary<string, string> { ["kubernetes.io/hostname"] = name } },
        Status = new V1NodeStatus
        {
            Capacity = new Dictionary<string, ResourceQuantity> { ["cpu"] = new(cpu), ["memory"] = new("16Gi"), ["pods"] = new("110") },
            Allocatable = new Dictionary<string, ResourceQuantity> { ["cpu"] = new(cpu), ["memory"] = new("16Gi"), ["pods"] = new("110") },
            Conditions = [new V1NodeCondition { Type = "Ready", Status = "True", Reason = "KubeletReady", LastHeartbeatTime = DateTime.UtcNow }],
        },
    };

    public async Task<string> NamespaceAsync(string prefix)
    {
        var ns = $"{prefix}-{Guid.NewGuid():N}"[..20];
        return await TestNamespaces.CreateAsync(Client, ns);
    }
}
