using k8s;
using k8s.Models;
using Navarch.Testing;

namespace Navarch.Integration.Tests.Fixtures;

/// <summary>
/// One real <c>navarch server</c> shared by the tests of a class (xunit class fixture), with the official C#
/// client and a plain HTTP client pointed at it. Tests isolate themselves in namespaces of their own.
/// </summary>
public class ServerFixture : IAsyncLifetime
{
    /// <summary>The service CIDR every fixture server uses, so tests can check the first address.</summary>
    public const string ServiceRange = "10.55.0.0/16";
    public const string KubernetesServiceIp = "10.55.0.1";

    private ServerProcess? _server;

    public ServerProcess Server => _server ?? throw new InvalidOperationException("the server has not started");
    public string Url => Server.Url;
    public Kubernetes Client { get; private set; } = null!;
    public HttpClient Http { get; private set; } = null!;

    /// <summary>
    /// These tests are about the API server alone: no control loops or scheduler may create, bind or delete
    /// objects behind their back (an RC makes no pods, a bound pod stays terminating).
    /// </summary>
    public static readonly string[] ApiServerOnly = ["--disable-controller-manager", "--disable-scheduler"];

    /// <summary>Flags beyond the data dir and port; subclasses change ranges or cache sizes.</summary>
    protected virtual string[] ServerArgs => [.. ApiServerOnly, "--service-cluster-ip-range", ServiceRange];

    public async Task InitializeAsync()
    {
        _server = await ServerProcess.StartAsync(ServerArgs);
        Client = new Kubernetes(new KubernetesClientConfiguration { Host = _server.Url });
        Http = new HttpClient { BaseAddress = new Uri(_server.Url), Timeout = TimeSpan.FromSeconds(30) };
    }

    /// <summary>Creates a namespace with a generated name (through the API) for one test, with its default ServiceAccount.</summary>
    public Task<string> NewNamespaceAsync(string prefix = "it-") => TestNamespaces.CreateAsync(Client, prefix, generate: true);

    /// <summary>A kubectl of <paramref name="binary"/> against this server; fails (never skips) when it is missing.</summary>
    public Kubectl Kubectl(string binary)
    {
        Assert.True(File.Exists(binary), $"kubectl binary {binary} is missing; it is installed on every machine of this project");
        return new Kubectl(Url, binary);
    }

    public async Task DisposeAsync()
    {
        Client?.Dispose();
        Http?.Dispose();
        if (_server is not null) await _server.DisposeAsync();
    }
}
