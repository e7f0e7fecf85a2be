using System.Diagnostics;
using System.Net;
using System.Text;
using Navarch.Api.Discovery;

namespace Navarch.Api.Tests.Discovery;

/// <summary>
/// Real kubectl against these documents, served by a throwaway HttpListener on 127.0.0.1: create must send
/// <c>fieldValidation=Strict</c> (so it found the PATCH declaration) and explain must resolve the schemas.
/// </summary>
[Trait("Category", "Integration")]
public sealed class KubectlOpenApiTests
{
    private const string PodYaml = "apiVersion: v1\nkind: Pod\nmetadata: {name: p1}\nspec: {containers: [{name: c, image: nginx}]}\n";

    [Theory]
    [InlineData("1.27")] // reads protobuf /openapi/v2
    [InlineData("1.28")]
    [InlineData("1.32")] // reads /openapi/v3
    [InlineData("1.33")]
    public async Task Create_with_default_validation_asks_the_server_to_validate(string version)
    {
        await using var stub = DiscoveryStub.Start();
        var manifest = Path.Combine(stub.Home, "pod.yaml");
        await File.WriteAllTextAsync(manifest, PodYaml);

        var (exit, output) = await stub.RunAsync(version, "create", "-f", manifest);

        Assert.True(exit == 0, output);
        Assert.Contains("pod/p1 created", output);
        var post = Assert.Single(stub.Requests, r => r.StartsWith("POST ", StringComparison.Ordinal));
        Assert.Equal("POST /api/v1/namespaces/default/pods?fieldManager=kubectl-create&fieldValidation=Strict", post);
    }

    [Theory]
    [InlineData("1.27")]
    [InlineData("1.32")]
    public async Task Explain_walks_the_schemas(string version)
    {
        await using var stub = DiscoveryStub.Start();

        var (exit, output) = await stub.RunAsync(version, "explain", "replicationcontrollers.spec.template.spec.containers");

        Assert.True(exit == 0, output);
        Assert.Contains("KIND:       ReplicationController", output);
        Assert.Contains("FIELD: containers <[]Container>", output);
        Assert.Contains("image\t<string>", output);
    }
}

/// <summary>Serves the discovery and OpenAPI documents (and echoes POSTs) on a free loopback port.</summary>
internal sealed class DiscoveryStub : IAsyncDisposable
{
    public static readonly string KubectlDir = Path.GetDirectoryName(Path.GetFullPath(
        new FileInfo("/usr/bin/kubectl").LinkTarget is { } target ? Path.Combine("/usr/bin", target) : "/usr/bin/kubectl"))!;

    private readonly HttpListener _listener;
    private readonly Task _loop;
    private readonly string _url;
    private readonly List<string> _requests = [];

    private DiscoveryStub(HttpListener listener, string url)
    {
        _listener = listener;
        _url = url;
        Home = Directory.CreateTempSubdirectory("navarch-kubectl-").FullName;
        _loop = Task.Run(ServeAsync);
    }

    /// <summary>A scratch HOME, so kubectl's discovery cache starts empty.</summary>
    public string Home { get; }

    /// <summary>"METHOD path?query" of every request, in arrival order.</summary>
    public IReadOnlyList<string> Requests { get { lock (_requests) return [.. _requests]; } }

    public static string Kubectl(string version) => Path.Combine(KubectlDir, $"kubectl.{version}");

    public static DiscoveryStub Start()
    {
        // HttpListener needs a concrete port: borrow a free one from the OS.
        var probe = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        var url = $"http://127.0.0.1:{port}/";
        var listener = new HttpListener();
        listener.Prefixes.Add(url);
        listener.Start();
        return new DiscoveryStub(listener, url);
    }

    public async Task<(int Exit, string Output)> RunAsync(string version, params string[] args)
    {
        var start = new ProcessStartInfo(Kubectl(version)) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-s");
        start.ArgumentList.Add(_url.TrimEnd('/'));
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.Environment["HOME"] = Home;
        start.Environment.Remove("KUBECONFIG");
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            throw new TimeoutException($"kubectl.{version} {string.Join(' ', args)} did not finish in 60s; requests: {string.Join(", ", Requests)}");
        }
        return (process.ExitCode, await stdout + await stderr);
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try { context = await _listener.GetContextAsync(); }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException) { return; }
            lock (_requests) _requests.Add($"{context.Request.HttpMethod} {context.Request.Url!.PathAndQuery}");
            await RespondAsync(context);
        }
    }

    private static async Task RespondAsync(HttpListenerContext context)
    {
        var request = context.Request;
        var path = request.Url!.AbsolutePath;
        var (status, type, body) = request.HttpMethod == "POST"
            ? (201, "application/json", await new StreamReader(request.InputStream).ReadToEndAsync())
            : Document(path, request.Url.Host + ":" + request.Url.Port) is { } doc ? (200, doc.Type, doc.Body) : (404, "application/json", "");
        var bytes = body is byte[] raw ? raw : Encoding.UTF8.GetBytes(body as string is { Length: > 0 } s ? s
            : """{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"NotFound","code":404}""");
        context.Response.StatusCode = status;
        context.Response.ContentType = type;
        context.Response.ContentLength64 = bytes.Length;
        await context.Response.OutputStream.WriteAsync(bytes);
        context.Response.Close();
    }

    private static (string Type, object Body)? Document(string path, string address)
    {
        if (path == "/openapi/v2") return (OpenApiV2.ContentType, OpenApiV2.Protobuf());
        if (path.StartsWith("/openapi/v3/", StringComparison.Ordinal))
            return OpenApiV3.GroupVersionUtf8(path) is { } doc ? ("application/json", doc.ToArray()) : null;
        var json = path switch
        {
            "/version" => VersionInfo.Get(),
            "/api" => DiscoveryDocuments.ApiVersions(address),
            "/api/v1" => DiscoveryDocuments.CoreResources(),
            "/apis" => DiscoveryDocuments.GroupList(),
            "/openapi/v3" => OpenApiV3.Root(),
            _ when path.Split('/', StringSplitOptions.RemoveEmptyEntries) is ["apis", var g, var v] => DiscoveryDocuments.GroupResources(g, v),
            _ when path.Split('/', StringSplitOptions.RemoveEmptyEntries) is ["apis", var g] => DiscoveryDocuments.Group(g),
            _ => null,
        };
        return json is null ? null : ("application/json", json.ToJsonString());
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _loop;
        Directory.Delete(Home, recursive: true);
    }
}
