using System.Net;
using System.Net.WebSockets;
using System.Text;
using Navarch.Agent.Runtime;
using Navarch.Cri;
using Navarch.Agent.Server;
using Navarch.Streaming;
using Navarch.Streaming.Spdy;

namespace Navarch.Agent.Tests.Server;

/// <summary>The agent server over real HTTPS on loopback, in front of the fake runtime.</summary>
[Trait("Category", "Integration")]
public sealed class AgentEndpointTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("navarch-endpoint-").FullName;
    private readonly FakeRuntime _runtime = new("10.244.0.0/24", ["nginx"]);
    private AgentEndpoint _endpoint = null!;
    private string _containerId = "";
    private string _logPath = "";

    private readonly HttpClient _http = new(new SocketsHttpHandler { SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true } })
    { Timeout = TimeSpan.FromSeconds(20) };

    public async Task InitializeAsync()
    {
        var sandbox = new SandboxSpec
        {
            Name = "web", Namespace = "default", Uid = "uid-1", LogDirectory = Path.Combine(_dir, "pods", "default_web_uid-1"),
            Labels = new Dictionary<string, string> { [RuntimeLabels.PodName] = "web", [RuntimeLabels.PodNamespace] = "default", [RuntimeLabels.PodUid] = "uid-1" },
        };
        var sandboxId = await _runtime.RunSandboxAsync(sandbox, default);
        _containerId = await _runtime.CreateContainerAsync(sandboxId, new ContainerSpec
        {
            Name = "nginx", Image = "nginx", LogPath = "nginx/0.log",
            Labels = new Dictionary<string, string> { [RuntimeLabels.ContainerName] = "nginx", [RuntimeLabels.PodUid] = "uid-1" },
        }, sandbox, default);
        await _runtime.StartContainerAsync(_containerId, default);
        _logPath = (await _runtime.ContainerStatusAsync(_containerId, default)).LogPath;
        Directory.CreateDirectory(Path.GetDirectoryName(_logPath)!);
        File.WriteAllText(_logPath, "2026-11-26T07:00:00.000000001Z stdout F hello\n2026-11-26T07:00:01.5Z stderr F world\n");

        _endpoint = await AgentEndpoint.StartAsync(new AgentEndpointOptions
        {
            Address = IPAddress.Loopback, Port = 0, NodeName = "node1", CertificateDirectory = Path.Combine(_dir, "pki"),
        }, _runtime, new RuntimeContainerLocator(_runtime));
    }

    public async Task DisposeAsync()
    {
        await _endpoint.DisposeAsync();
        _http.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private Task<HttpResponseMessage> GetAsync(string path) => _http.GetAsync(new Uri(_endpoint.Url, path), HttpCompletionOption.ResponseHeadersRead);

    [Fact]
    public async Task Serves_container_logs_over_https()
    {
        using var r = await GetAsync("/containerLogs/default/web/nginx");
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Equal("hello\nworld\n", await r.Content.ReadAsStringAsync());

        using var tail = await GetAsync("/containerLogs/default/web/nginx?tailLines=1&timestamps=true");
        Assert.Equal("2026-11-26T07:00:01.5Z world\n", await tail.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("/containerLogs/default/nope/nginx", HttpStatusCode.NotFound, "pod \"nope\" does not exist")]
    [InlineData("/containerLogs/default/web/sidecar", HttpStatusCode.NotFound, "container \"sidecar\" not found in pod \"web\"")]
    [InlineData("/containerLogs/default/web/nginx?previous=true", HttpStatusCode.BadRequest, "previous terminated container \"nginx\" in pod \"web\" not found")]
    [InlineData("/containerLogs/default/web/nginx?tailLines=-3", HttpStatusCode.BadRequest, "invalid tailLines \"-3\": must be an integer greater than or equal to 0")]
    public async Task Log_errors_say_what_is_missing(string path, HttpStatusCode code, string message)
    {
        using var r = await GetAsync(path);
        Assert.Equal(code, r.StatusCode);
        Assert.Equal(message, await r.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("/healthz", HttpStatusCode.OK, "ok")]
    [InlineData("/pods", HttpStatusCode.NotFound, "not found")]
    [InlineData("/containerLogs/default/web", HttpStatusCode.NotFound, "not found")]
    public async Task Routes_answer_known_paths_and_refuse_others(string path, HttpStatusCode code, string body)
    {
        using var r = await GetAsync(path);
        Assert.Equal(code, r.StatusCode);
        Assert.Equal(body, await r.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Logs_are_read_only()
    {
        using var r = await _http.PostAsync(new Uri(_endpoint.Url, "/containerLogs/default/web/nginx"), new StringContent(""));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, r.StatusCode);
    }

    [Fact]
    public async Task A_client_that_does_not_speak_tls_gets_nothing_and_the_server_goes_on()
    {
        using (var plain = new System.Net.Sockets.TcpClient())
        {
            await plain.ConnectAsync(_endpoint.Url.Host, _endpoint.Port);
            var stream = plain.GetStream();
            await stream.WriteAsync("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"u8.ToArray());
            var buffer = new byte[64];
            using var bounded = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            try
            {
                var read = await stream.ReadAsync(buffer, bounded.Token);
                Assert.Equal(0, read); // closed without an HTTP answer
            }
            catch (IOException)
            {
                // reset: also fine
            }
        }
        using var r = await GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
    }

    [Fact]
    public async Task Follow_ends_when_the_container_exits()
    {
        using var r = await GetAsync("/containerLogs/default/web/nginx?follow=true");
        await using var body = await r.Content.ReadAsStreamAsync();
        var reader = new StreamReader(body);
        Assert.Equal("hello", await reader.ReadLineAsync());
        Assert.Equal("world", await reader.ReadLineAsync());
        File.AppendAllText(_logPath, "2026-11-26T07:00:02Z stdout F later\n");
        Assert.Equal("later", await reader.ReadLineAsync());
        _runtime.ExitContainer(_containerId, 0);
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        Assert.Equal("", await reader.ReadToEndAsync(deadline.Token));
    }

    private Task<(string Stdout, string Stderr, string Status, string? Protocol)> ExecAsync(string query, params string[] protocols) =>
        ExecAsync(query, protocols, input: []);

    /// <summary>Runs an exec, sending <paramref name="input"/> (whole messages, channel byte first) once connected.</summary>
    private async Task<(string Stdout, string Stderr, string Status, string? Protocol)> ExecAsync(string query, string[] protocols, byte[][] input, string action = "exec")
    {
        using var socket = new ClientWebSocket();
        foreach (var p in protocols.Length == 0 ? [RemoteCommand.V5, RemoteCommand.V4] : protocols) socket.Options.AddSubProtocol(p);
        socket.Options.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var url = new UriBuilder(_endpoint.Url) { Scheme = "wss", Path = $"/{action}/default/web/nginx", Query = query }.Uri;
        await socket.ConnectAsync(url, deadline.Token);
        foreach (var message in input) await socket.SendAsync(message, WebSocketMessageType.Binary, endOfMessage: true, deadline.Token);
        var channels = new Dictionary<byte, MemoryStream> { [1] = new(), [2] = new(), [3] = new() };
        var buffer = new byte[8192];
        while (true)
        {
            using var message = new MemoryStream();
            WebSocketReceiveResult r;
            do
            {
                r = await socket.ReceiveAsync(buffer, deadline.Token);
                message.Write(buffer, 0, r.Count);
            } while (!r.EndOfMessage);
            if (r.MessageType == WebSocketMessageType.Close) break;
            var bytes = message.ToArray();
            if (bytes.Length > 0) channels[bytes[0]].Write(bytes, 1, bytes.Length - 1);
        }
        await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, deadline.Token);
        string Text(byte c) => Encoding.UTF8.GetString(channels[c].ToArray());
        return (Text(1), Text(2), Text(3), socket.SubProtocol);
    }

    [Fact]
    public async Task Exec_sends_output_then_success_status()
    {
        _runtime.ExecHandler = (id, cmd) => new ExecResult(0, Encoding.UTF8.GetBytes(string.Join(' ', cmd.Skip(1)) + "\n"), Encoding.UTF8.GetBytes("warn\n"));
        var (stdout, stderr, status, protocol) = await ExecAsync("command=echo&command=hi&stdout=true&stderr=true");
        Assert.Equal(RemoteCommand.V5, protocol);
        Assert.Equal("hi\n", stdout);
        Assert.Equal("warn\n", stderr);
        Assert.Equal("""{"metadata":{},"status":"Success"}""", status);
    }

    [Fact]
    public async Task Exec_reports_the_exit_code_as_status_over_v4_too()
    {
        _runtime.ExecHandler = (_, _) => new ExecResult(3, [], []);
        var (_, _, status, protocol) = await ExecAsync("command=sh&command=-c&command=exit%203&stdout=1", RemoteCommand.V4);
        Assert.Equal(RemoteCommand.V4, protocol);
        Assert.Contains("\"reason\":\"NonZeroExitCode\"", status);
        Assert.Contains("error executing command [sh -c exit 3], exit code 3", status);
    }

    [Fact]
    public async Task Interactive_exec_runs_through_the_runtimes_stream_server_with_stdin_and_its_close()
    {
        await using var server = new FakeStreamServer([ExecStreamRole.Error, ExecStreamRole.Stdin, ExecStreamRole.Stdout, ExecStreamRole.Stderr]);
        ExecStreamRequest? asked = null;
        _runtime.ExecStreamHandler = request => { asked = request; return server.Url; };

        var (stdout, _, status, _) = await ExecAsync("command=cat&stdin=1&stdout=1&stderr=1", [RemoteCommand.V5],
            [[RemoteCommand.StdinChannel, .. "hello\n"u8], [RemoteCommand.StdinChannel, .. "again\n"u8], [RemoteCommand.CloseChannel, RemoteCommand.StdinChannel]]);
        await server.Served.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal((_containerId, true, true, true, false), (asked!.ContainerId, asked.Stdin, asked.Stdout, asked.Stderr, asked.Tty));
        Assert.Equal(["cat"], asked.Command);
        Assert.StartsWith("POST /exec/Tok3n HTTP/1.1\r\n", server.RequestHead);
        Assert.Contains("Upgrade: SPDY/3.1\r\n", server.RequestHead);
        Assert.Contains("X-Stream-Protocol-Version: v4.channel.k8s.io\r\n", server.RequestHead);
        Assert.Equal([1u, 3u, 5u, 7u], server.Opened);
        Assert.True(server.StdinClosed);
        Assert.Equal("hello\nagain\n", stdout);
        Assert.Equal(server.Status, status);
    }

    [Fact]
    public async Task A_terminal_gets_no_stderr_stream_and_its_resizes_reach_the_runtime()
    {
        await using var server = new FakeStreamServer([ExecStreamRole.Error, ExecStreamRole.Stdin, ExecStreamRole.Stdout, ExecStreamRole.Resize])
        {
            Status = """{"metadata":{},"status":"Failure","message":"command terminated with non-zero exit code: exit code 2","reason":"NonZeroExitCode","details":{"causes":[{"reason":"ExitCode","message":"2"}]}}""",
        };
        ExecStreamRequest? asked = null;
        _runtime.ExecStreamHandler = request => { asked = request; return server.Url; };

        var (stdout, _, status, _) = await ExecAsync("command=sh&stdin=1&stdout=1&stderr=1&tty=1", [RemoteCommand.V5],
            [[RemoteCommand.ResizeChannel, .. """{"Width":80,"Height":24}"""u8], [RemoteCommand.StdinChannel, .. "exit 2\r"u8], [RemoteCommand.CloseChannel, RemoteCommand.StdinChannel]]);
        await server.Served.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.True(asked!.Tty);
        Assert.False(asked.Stderr);
        Assert.Equal([1u, 3u, 5u, 7u], server.Opened);
        Assert.Equal("""{"Width":80,"Height":24}""", server.Resizes.ToString());
        Assert.Equal("exit 2\r", stdout);
        Assert.Contains("\"reason\":\"NonZeroExitCode\"", status);
    }

    [Fact]
    public async Task Attach_asks_the_runtime_for_the_main_process_streams()
    {
        await using var server = new FakeStreamServer([ExecStreamRole.Error, ExecStreamRole.Stdin, ExecStreamRole.Stdout]);
        ExecStreamRequest? asked = null;
        _runtime.ExecStreamHandler = request => { asked = request; return server.Url; };

        var (stdout, _, status, _) = await ExecAsync("stdin=1&stdout=1&command=ignored", [RemoteCommand.V5],
            [[RemoteCommand.StdinChannel, .. "line\n"u8], [RemoteCommand.CloseChannel, RemoteCommand.StdinChannel]], action: "attach");

        Assert.True(asked!.IsAttach);
        Assert.Empty(asked.Command);
        Assert.Equal("line\n", stdout);
        Assert.Equal(server.Status, status);
    }

    [Fact]
    public async Task Attach_on_a_runtime_without_a_stream_server_is_refused_with_a_clear_status()
    {
        var (_, _, status, _) = await ExecAsync("stdin=1&stdout=1", [RemoteCommand.V5], [], action: "attach");
        Assert.Contains("\"reason\":\"BadRequest\"", status);
        Assert.Contains("cannot attach to containers", status);
    }

    [Fact]
    public async Task A_stream_server_that_refuses_becomes_an_internal_error_status()
    {
        await using var server = new FakeStreamServer([], refuseWith: "token not found");
        _runtime.ExecStreamHandler = _ => server.Url;

        var (_, _, status, _) = await ExecAsync("command=sh&stdin=1&stdout=1", [RemoteCommand.V5], []);

        Assert.Contains("\"reason\":\"InternalError\"", status);
        Assert.True(status.Contains("HTTP/1.1 404 Not Found: token not found", StringComparison.Ordinal), status);
    }

    [Fact]
    public async Task Port_forward_upgrades_at_the_runtime_and_relays_bytes_both_ways()
    {
        await using var runtimeSide = new EchoUpgradeServer();
        string? sandbox = null;
        _runtime.PortForwardHandler = id => { sandbox = id; return runtimeSide.Url; };

        await using var connection = await SpdyUpgrade.DialAsync(new Uri(_endpoint.Url, "/portForward/default/web"), ["portforward.k8s.io"],
            CancellationToken.None, certificateCheck: (_, _, _, _) => true);
        Assert.Equal("portforward.k8s.io", connection.Protocol);
        byte[] sent = [0x80, 0x03, 0x00, 0x01, .. "spdy bytes"u8];
        await connection.Stream.WriteAsync(sent);
        var echoed = new byte[sent.Length];
        await connection.Stream.ReadExactlyAsync(echoed).AsTask().WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(sent, echoed);
        Assert.Equal((await _runtime.ListSandboxesAsync(null, default)).Single().Id, sandbox);
        Assert.StartsWith("POST /portforward/Tok3n HTTP/1.1\r\n", runtimeSide.RequestHead);
    }

    [Theory]
    [InlineData("/portForward/default/nosuchpod", true, 404, "has no running sandbox")]
    [InlineData("/portForward/default/web", true, 501, "cannot forward ports")]
    [InlineData("/portForward/default/web", false, 400, "Upgrade request required")]
    public async Task Port_forward_that_cannot_be_served_is_refused_with_a_reason(string path, bool upgrade, int code, string reason)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_endpoint.Url, path));
        if (upgrade)
        {
            request.Headers.Connection.Add("Upgrade");
            request.Headers.Upgrade.Add(new("SPDY", "3.1"));
            request.Headers.Add("X-Stream-Protocol-Version", "portforward.k8s.io");
        }
        using var response = await _http.SendAsync(request);
        Assert.Equal(code, (int)response.StatusCode);
        Assert.Contains(reason, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_runtime_without_a_stream_server_refuses_a_terminal_with_a_clear_status()
    {
        var (_, _, status, _) = await ExecAsync("command=sh&stdin=true&tty=true&stdout=true");
        Assert.Contains("\"reason\":\"BadRequest\"", status);
        Assert.Contains("stdin and tty are not supported", status);
    }

    [Fact]
    public async Task Exec_without_websocket_is_a_bad_request()
    {
        using var r = await GetAsync("/exec/default/web/nginx?command=ls");
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
    }

    [Fact]
    public async Task Certificate_is_kept_and_reused()
    {
        var pki = Path.Combine(_dir, "pki");
        var first = await File.ReadAllTextAsync(Path.Combine(pki, ServingCertificate.CertificateFile));
        using var again = ServingCertificate.LoadOrCreate(pki, "node1", [IPAddress.Loopback], TimeProvider.System);
        Assert.Equal(first, await File.ReadAllTextAsync(Path.Combine(pki, ServingCertificate.CertificateFile)));
        using var moved = ServingCertificate.LoadOrCreate(pki, "node1", [IPAddress.Parse("127.0.0.2")], TimeProvider.System);
        Assert.NotEqual(first, await File.ReadAllTextAsync(Path.Combine(pki, ServingCertificate.CertificateFile)));
        if (OperatingSystem.IsWindows()) return;
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(pki, ServingCertificate.KeyFile)));
    }
}
