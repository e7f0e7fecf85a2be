using System.Net;
using System.Net.Sockets;
using System.Text;
using k8s.Models;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Navarch.Agent.Probes;
using Navarch.Agent.Runtime;
using Navarch.Cri;

namespace Navarch.Agent.Tests.Probes;

/// <summary>The real probe handlers against a loopback HTTP server and the fake runtime.</summary>
[Trait("Category", "Integration")]
public sealed class ProberTests : IAsyncLifetime
{
    private WebApplication _app = null!;
    private int _port;
    private readonly FakeRuntime _runtime = new("10.244.0.0/24", ["busybox"]);
    private Prober _prober = null!;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        _app = builder.Build();
        _app.MapGet("/status/{code:int}", (int code) => Results.StatusCode(code));
        _app.MapGet("/headers", (HttpContext ctx) => ctx.Request.Headers["X-Probe"] == "yes" && ctx.Request.Headers.UserAgent == HttpGetProbe.UserAgent ? Results.Ok() : Results.StatusCode(418));
        _app.MapGet("/slow", async () => { await Task.Delay(TimeSpan.FromSeconds(10)); return Results.Ok(); });
        await _app.StartAsync();
        _port = new Uri(_app.Urls.First()).Port;
        _prober = new Prober(_runtime, TimeProvider.System);
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private V1Container Container => new() { Name = "web", Ports = [new V1ContainerPort { Name = "http", ContainerPort = _port }] };

    private Task<ProbeOutcome> RunAsync(V1Probe probe, string containerId = "", int timeoutSeconds = 1) =>
        _prober.RunAsync(new ProbeTarget(probe, Container, "127.0.0.1", containerId), TimeSpan.FromSeconds(timeoutSeconds), CancellationToken.None);

    [Theory]
    [InlineData("/status/200", ProbeVerdict.Success, "")]
    [InlineData("/status/302", ProbeVerdict.Success, "")]
    [InlineData("/status/404", ProbeVerdict.Failure, "HTTP probe failed with statuscode: 404")]
    [InlineData("/status/500", ProbeVerdict.Failure, "HTTP probe failed with statuscode: 500")]
    public async Task Http_get_passes_on_2xx_and_3xx(string path, ProbeVerdict verdict, string message)
    {
        var outcome = await RunAsync(new V1Probe { HttpGet = new V1HTTPGetAction { Path = path, Port = _port } });
        Assert.Equal(new ProbeOutcome(verdict, message), outcome);
    }

    [Fact]
    public async Task Http_get_resolves_named_ports_and_sends_headers()
    {
        var outcome = await RunAsync(new V1Probe { HttpGet = new V1HTTPGetAction { Path = "headers", Port = "http", HttpHeaders = [new V1HTTPHeader { Name = "X-Probe", Value = "yes" }] } });
        Assert.Equal(ProbeVerdict.Success, outcome.Verdict);
    }

    [Fact]
    public async Task Http_get_times_out_with_upstreams_message()
    {
        var outcome = await RunAsync(new V1Probe { HttpGet = new V1HTTPGetAction { Path = "/slow", Port = _port } });
        Assert.Equal(ProbeOutcome.Failure($"Get \"http://127.0.0.1:{_port}/slow\": context deadline exceeded (Client.Timeout exceeded while awaiting headers)"), outcome);
    }

    [Fact]
    public async Task Refused_connections_read_like_go()
    {
        var closed = ClosedPort();
        var http = await RunAsync(new V1Probe { HttpGet = new V1HTTPGetAction { Path = "/", Port = closed } });
        Assert.Equal(ProbeOutcome.Failure($"Get \"http://127.0.0.1:{closed}/\": dial tcp 127.0.0.1:{closed}: connect: connection refused"), http);
        var tcp = await RunAsync(new V1Probe { TcpSocket = new V1TCPSocketAction { Port = closed } });
        Assert.Equal(ProbeOutcome.Failure($"dial tcp 127.0.0.1:{closed}: connect: connection refused"), tcp);
    }

    [Fact]
    public async Task Tcp_socket_passes_when_the_port_accepts()
    {
        Assert.Equal(ProbeVerdict.Success, (await RunAsync(new V1Probe { TcpSocket = new V1TCPSocketAction { Port = "http" } })).Verdict);
    }

    [Fact]
    public async Task Unknown_named_port_is_an_error_not_a_failure()
    {
        var outcome = await RunAsync(new V1Probe { TcpSocket = new V1TCPSocketAction { Port = "metrics" } });
        Assert.Equal(ProbeOutcome.Error("couldn't find port: metrics in container web"), outcome);
    }

    [Theory]
    [InlineData(0, ProbeVerdict.Success)]
    [InlineData(1, ProbeVerdict.Failure)]
    public async Task Exec_passes_on_exit_code_zero_with_output_as_message(int exitCode, ProbeVerdict verdict)
    {
        var id = await RunningContainerAsync();
        _runtime.ExecHandler = (_, cmd) => new ExecResult(exitCode, Encoding.UTF8.GetBytes("out:" + cmd[0]), Encoding.UTF8.GetBytes(" err"));
        var outcome = await RunAsync(new V1Probe { Exec = new V1ExecAction { Command = ["cat", "/tmp/healthy"] } }, id);
        Assert.Equal(new ProbeOutcome(verdict, "out:cat err"), outcome);
    }

    [Fact]
    public async Task Exec_timeout_reads_like_upstream()
    {
        var id = await RunningContainerAsync();
        _runtime.ExecHandler = (_, _) => throw new RuntimeException(RuntimeErrorCode.DeadlineExceeded, RuntimeOperation.ExecSync, "timeout");
        var outcome = await RunAsync(new V1Probe { Exec = new V1ExecAction { Command = ["sleep", "5"] } }, id);
        Assert.Equal(ProbeOutcome.Failure("command \"sleep 5\" timed out"), outcome);
    }

    private async Task<string> RunningContainerAsync()
    {
        var sandbox = new SandboxSpec { Name = "p", Namespace = "default", Uid = Guid.NewGuid().ToString() };
        var sandboxId = await _runtime.RunSandboxAsync(sandbox, default);
        var id = await _runtime.CreateContainerAsync(sandboxId, new ContainerSpec { Name = "c", Image = "busybox" }, sandbox, default);
        await _runtime.StartContainerAsync(id, default);
        return id;
    }

    private static int ClosedPort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}
