using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Navarch.Bench.Api;

/// <summary>
/// The few requests the benchmark makes, as raw JSON over one HttpClient, so that the client spends as
/// little of the shared CPUs as it can. Every call throws <see cref="HttpRequestException"/> with the
/// server's answer when the status is not the expected one.
/// </summary>
internal sealed class PodClient(HttpClient http)
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");
    private static readonly MediaTypeHeaderValue MergePatch = new("application/merge-patch+json");

    /// <summary>An HTTP/1.1 client that keeps up to <paramref name="connections"/> connections to the server open.</summary>
    public static HttpClient NewHttpClient(Uri server, int connections) =>
        new(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = connections,
            UseProxy = false,
            UseCookies = false,
            AutomaticDecompression = System.Net.DecompressionMethods.None,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
        })
        {
            BaseAddress = server,
            Timeout = TimeSpan.FromSeconds(60),
        };

    public static string PodName(int i) => $"p-{i:D6}";

    public async Task CreateNamespaceAsync(string name, CancellationToken ct)
    {
        var body = $$$"""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"{{{name}}}"}}""";
        await SendAsync(HttpMethod.Post, "/api/v1/namespaces", body, Json, 201, ct);
        // Its default ServiceAccount, which pods need: the server runs without the controller manager that makes it.
        var account = """{"apiVersion":"v1","kind":"ServiceAccount","metadata":{"name":"default"}}""";
        await SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{name}/serviceaccounts", account, Json, 201, ct);
    }

    /// <summary>POSTs a small pod (one container, one label).</summary>
    public Task CreatePodAsync(string ns, string name, CancellationToken ct)
    {
        var body = $$$"""{"apiVersion":"v1","kind":"Pod","metadata":{"name":"{{{name}}}","labels":{"app":"bench"}},"spec":{"containers":[{"name":"app","image":"registry.k8s.io/pause:3.10"}]}}""";
        return SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/pods", body, Json, 201, ct);
    }

    /// <summary>GETs one pod; returns its JSON.</summary>
    public Task<byte[]> GetPodAsync(string ns, string name, CancellationToken ct) =>
        SendAsync(HttpMethod.Get, $"/api/v1/namespaces/{ns}/pods/{name}", null, null, 200, ct);

    /// <summary>Sets one label with a JSON merge patch (no resourceVersion: the server retries conflicts itself).</summary>
    public Task PatchPodLabelAsync(string ns, string name, string value, CancellationToken ct)
    {
        var body = "{\"metadata\":{\"labels\":{\"round\":\"" + value + "\"}}}";
        return SendAsync(HttpMethod.Patch, $"/api/v1/namespaces/{ns}/pods/{name}", body, MergePatch, 200, ct);
    }

    /// <summary>Lists the pods of <paramref name="ns"/>; returns the whole body (see <see cref="ListFacts"/>).</summary>
    public Task<byte[]> ListPodsAsync(string ns, CancellationToken ct) =>
        SendAsync(HttpMethod.Get, $"/api/v1/namespaces/{ns}/pods", null, null, 200, ct);

    /// <summary>The item count and resourceVersion of a list body; parsed apart so list timings hold no client parsing.</summary>
    public static (int Items, string ResourceVersion) ListFacts(byte[] list)
    {
        using var doc = JsonDocument.Parse(list);
        return (doc.RootElement.GetProperty("items").GetArrayLength(), doc.RootElement.GetProperty("metadata").GetProperty("resourceVersion").GetString()!);
    }

    private async Task<byte[]> SendAsync(HttpMethod method, string path, string? body, MediaTypeHeaderValue? type, int expected, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
            request.Content.Headers.ContentType = type;
        }
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, ct);
        var bytes = await response.Content.ReadAsByteArrayAsync(ct);
        if ((int)response.StatusCode != expected)
            throw new HttpRequestException($"{method} {path}: expected {expected}, got {(int)response.StatusCode}: {Encoding.UTF8.GetString(bytes)}");
        return bytes;
    }
}
