using System.Net;
using System.Net.WebSockets;
using System.Text;
using k8s;
using k8s.Models;
using Navarch.Agent.Runtime;
using Navarch.Cri;
using Navarch.Agent.Server;
using Navarch.Testing;

namespace Navarch.Agent.Tests.Server;

/// <summary>
/// <c>pods/portforward</c> over a WebSocket of the channel protocol, the whole way: the API server, the agent's
/// endpoint in front of the fake runtime, and a runtime's SPDY port-forward server; with a raw WebSocket and with the
/// official Python client (Debian's python3-kubernetes, <c>kubernetes.stream.portforward</c>).
/// </summary>
/// <summary>One API server, a node and a pod on it whose agent endpoint runs in front of the fake runtime.</summary>
public sealed class PortForwardFixture : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("navarch-portforward-").FullName;
    private AgentEndpoint _endpoint = null!;

    public FakeRuntime Runtime { get; } = new("10.244.0.0/24", ["nginx"]);
    public ServerProcess Server { get; private set; } = null!;
    public string WorkDir => _dir;

    public async Task InitializeAsync()
    {
        Server = await ServerProcess.StartAsync("--disable-controller-manager", "--disable-scheduler");
        using var client = new Kubernetes(new KubernetesClientConfiguration { Host = Server.Url });
        _endpoint = await AgentEndpoint.StartAsync(new AgentEndpointOptions
        {
            Address = IPAddress.Loopback, Port = 0, NodeName = "pf-node", CertificateDirectory = Path.Combine(_dir, "pki"),
        }, Runtime, new RuntimeContainerLocator(Runtime));

        var node = await client.CoreV1.CreateNodeAsync(new V1Node { Metadata = new V1ObjectMeta { Name = "pf-node" } });
        node.Status = new V1NodeStatus
        {
            Addresses = [new V1NodeAddress { Type = "InternalIP", Address = "127.0.0.1" }],
            DaemonEndpoints = new V1NodeDaemonEndpoints { KubeletEndpoint = new V1DaemonEndpoint { Port = _endpoint.Port } },
        };
        await client.CoreV1.ReplaceNodeStatusAsync(node, "pf-node");
        var pod = await client.CoreV1.CreateNamespacedPodAsync(new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "web" },
            Spec = new V1PodSpec { NodeName = "pf-node", Containers = [new V1Container { Name = "nginx", Image = "nginx" }] },
        }, "default");
        await Runtime.RunSandboxAsync(new SandboxSpec
        {
            Name = "web", Namespace = "default", Uid = pod.Metadata.Uid, LogDirectory = Path.Combine(_dir, "pods"),
            Labels = new Dictionary<string, string> { [RuntimeLabels.PodName] = "web", [RuntimeLabels.PodNamespace] = "default", [RuntimeLabels.PodUid] = pod.Metadata.Uid },
        }, default);
    }

    public async Task DisposeAsync()
    {
        await _endpoint.DisposeAsync();
        await Server.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }
}

[Trait("Category", "Integration")]
public sealed class PortForwardThroughApiServerTests(PortForwardFixture fixture) : IClassFixture<PortForwardFixture>
{
    private const string Python = "/usr/bin/python3";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A_v4_channel_WebSocket_reaches_the_runtime_through_the_api_server_and_the_agent()
    {
        await using var runtime = new FakePortForwardServer();
        fixture.Runtime.PortForwardHandler = _ => runtime.Url;
        using var socket = new ClientWebSocket();
        socket.Options.AddSubProtocol("v5.channel.k8s.io");
        socket.Options.AddSubProtocol("v4.channel.k8s.io");
        using var connect = new CancellationTokenSource(Timeout);
        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{fixture.Server.Port}/api/v1/namespaces/default/pods/web/portforward?ports=80&ports=7"), connect.Token);
        Assert.Equal("v4.channel.k8s.io", socket.SubProtocol);

        var opening = new List<byte[]>();
        for (var i = 0; i < 4; i++) opening.Add(await ReceiveAsync(socket, "the opening messages"));
        Assert.Equal([[0, 80, 0], [1, 80, 0], [2, 7, 0], [3, 7, 0]], opening);
        Assert.Equal([3, .. Encoding.UTF8.GetBytes(FakePortForwardServer.RefusedMessage(7))], await ReceiveAsync(socket, "port 7's error"));
        await socket.SendAsync((byte[])[0, .. "ping"u8], WebSocketMessageType.Binary, true, default);
        Assert.Equal([0, .. "ping"u8], await ReceiveAsync(socket, "the echo of port 80"));

        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, default).WaitAsync(Timeout);
        await runtime.Served.WaitAsync(Timeout);
        Assert.True(runtime.GoneAway, "the runtime saw no GOAWAY");
        Assert.Equal(["error 80 0", "data 80 0", "error 7 1", "data 7 1"], runtime.Opened.Select(s => $"{s.StreamType} {s.Port} {s.RequestId}"));
    }

    [Fact]
    public async Task The_official_Python_client_forwards_a_port()
    {
        Assert.True(File.Exists(Python), $"{Python} is missing; scripts/install-deps installs python3-kubernetes");
        await using var runtime = new FakePortForwardServer();
        fixture.Runtime.PortForwardHandler = _ => runtime.Url;
        var script = Path.Combine(fixture.WorkDir, "portforward.py");
        await File.WriteAllTextAsync(script, """
            import sys
            from kubernetes import client
            from kubernetes.stream import portforward
            configuration = client.Configuration()
            configuration.host = sys.argv[1]
            api = client.CoreV1Api(client.ApiClient(configuration))
            forward = portforward(api.connect_get_namespaced_pod_portforward, "web", "default", ports="80")
            sock = forward.socket(80)
            sock.settimeout(15)
            sock.sendall(b"hello from python")
            received = b""
            while len(received) < 17:
                chunk = sock.recv(1024)
                if not chunk:
                    break
                received += chunk
            sock.close()
            print("received: " + received.decode())
            print("error: " + str(forward.error(80)))
            """);
        var result = await ClientProcess.RunAsync(Python, [script, fixture.Server.Url], Timeout);
        var output = result.Stdout;
        Assert.True(result.ExitCode == 0, $"python: {result}");
        Assert.Contains("received: hello from python", output);
        Assert.Contains("error: None", output);
        Assert.Equal(["error 80 0", "data 80 0"], runtime.Opened.Select(s => $"{s.StreamType} {s.Port} {s.RequestId}"));
    }

    private static Task<byte[]> ReceiveAsync(WebSocket socket, string what) => PortForwardWebSocketBridgeTests.ReceiveAsync(socket, what);
}
