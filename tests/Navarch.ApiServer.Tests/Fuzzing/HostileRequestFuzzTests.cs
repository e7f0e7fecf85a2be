using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Xunit.Abstractions;

namespace Navarch.ApiServer.Tests.Fuzzing;

/// <summary>
/// Thousands of hostile requests against the API server in this process: none may get a 5xx other than 503, the
/// server must answer its health check after each, and the objects made before the fuzzing must come through unchanged.
/// Bounded for CI by count and time; NAVARCH_FUZZ_REQUESTS and NAVARCH_FUZZ_SECONDS run it longer, NAVARCH_FUZZ_SEED
/// replays a failure (its message prints the seed).
/// </summary>
[Trait("Category", "Integration")]
public sealed class HostileRequestFuzzTests(ITestOutputHelper output)
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(20);
    private const int SentinelCheckEvery = 250;
    private const int MaxFailuresListed = 20;

    [Fact]
    public async Task No_hostile_request_gets_a_server_error_or_harms_the_server()
    {
        var seed = Setting("NAVARCH_FUZZ_SEED", Random.Shared.Next());
        var budget = Setting("NAVARCH_FUZZ_REQUESTS", 5_000);
        var seconds = Setting("NAVARCH_FUZZ_SECONDS", 20);
        output.WriteLine($"fuzz seed {seed}: replay with NAVARCH_FUZZ_SEED={seed}");

        await using var server = await InProcessServer.StartAsync();
        var sentinels = await Sentinels.CreateAsync(server.Http);
        await CreateTargetsAsync(server.Http);

        using var http = new HttpClient(new SocketsHttpHandler { AutomaticDecompression = DecompressionMethods.None })
        { BaseAddress = new Uri(server.Url), Timeout = RequestTimeout };
        var requests = new HostileRequests(seed);
        var delivery = new Random(seed);
        var clock = Stopwatch.StartNew();
        var codes = new SortedDictionary<int, int>();
        var sent = 0;
        var failures = new List<string>();
        var seen = new HashSet<string>();
        var errorsSeen = server.Errors.Count;
        for (; sent < budget && clock.Elapsed < TimeSpan.FromSeconds(seconds); sent++)
        {
            var request = requests.Next();
            string Where() => $"request #{sent} of seed {seed} (replay: NAVARCH_FUZZ_SEED={seed} NAVARCH_FUZZ_REQUESTS={sent + 1}): {request}";
            var (code, answer) = await SendAsync(http, server.Port, request, delivery, Where);
            if (code is { } c) codes[c] = codes.GetValueOrDefault(c) + 1;
            if (code is >= 500 and not 503 && failures.Count < MaxFailuresListed && seen.Add(Signature(answer)))
                failures.Add($"{code} for {Where()}\nanswer: {answer}");
            foreach (var logged in server.Errors.Since(errorsSeen))
                if (failures.Count < MaxFailuresListed && seen.Add(Signature(logged)))
                    failures.Add($"the server logged, answering {code?.ToString(CultureInfo.InvariantCulture) ?? "nothing"} to {Where()}:\n{logged}");
            errorsSeen = server.Errors.Count;
            await AssertAliveAsync(http, Where);
            if (sent % SentinelCheckEvery == 0) await sentinels.AssertIntactAsync(server.Http, Where());
        }
        Assert.True(failures.Count == 0, $"{failures.Count} kinds of server error:\n\n{string.Join("\n\n", failures)}");
        await sentinels.AssertIntactAsync(server.Http, $"the end of seed {seed}");
        output.WriteLine($"{sent} requests in {clock.Elapsed.TotalSeconds:0.0} s; status codes: {string.Join(", ", codes.Select(p => $"{p.Key}×{p.Value}"))}");
        Assert.True(sent >= Math.Min(budget, 200), $"only {sent} requests in {seconds} s: too few to mean anything");
    }

    private static async Task<(int? Code, string Answer)> SendAsync(HttpClient http, int port, HostileRequest request, Random delivery, Func<string> where)
    {
        using var timeout = new CancellationTokenSource(RequestTimeout);
        try
        {
            if (request.Delivery != Delivery.Normal)
                return (await RawHttp.SendAsync(port, request, delivery, timeout.Token), "");
            using var message = new HttpRequestMessage(new HttpMethod(request.Method), request.Path);
            if (request.Body is not null)
            {
                message.Content = new ByteArrayContent(request.Body);
                if (request.ContentType is not null) message.Content.Headers.TryAddWithoutValidation("Content-Type", request.ContentType);
                if (request.ContentEncoding is not null) message.Content.Headers.ContentEncoding.Add(request.ContentEncoding);
            }
            if (request.Accept is not null) message.Headers.TryAddWithoutValidation("Accept", request.Accept);
            // A watch streams until its timeout: its status line is the answer.
            using var response = await http.SendAsync(message, request.Watches ? HttpCompletionOption.ResponseHeadersRead : HttpCompletionOption.ResponseContentRead, timeout.Token);
            var answer = request.Watches ? "" : await response.Content.ReadAsStringAsync(timeout.Token);
            return ((int)response.StatusCode, answer.Length > 2000 ? answer[..2000] : answer);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            Assert.Fail($"no answer within {RequestTimeout.TotalSeconds:0} s to {where()}");
            throw;
        }
        catch (HttpRequestException e)
        {
            Assert.Fail($"the connection failed ({e.Message}) for {where()}");
            throw;
        }
    }

    private static async Task AssertAliveAsync(HttpClient http, Func<string> where)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            using var health = await http.GetAsync("/healthz", timeout.Token);
            Assert.True(health.StatusCode == HttpStatusCode.OK, $"/healthz answered {(int)health.StatusCode} after {where()}");
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
        {
            Assert.Fail($"/healthz did not answer ({e.Message}) after {where()}");
        }
    }

    /// <summary>Valid objects of every kind under the names the fuzzer uses, so that its updates and patches find them.</summary>
    private static async Task CreateTargetsAsync(HttpClient http)
    {
        await Sentinels.PostAsync(http, "/api/v1/namespaces", """{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"fuzz"}}""");
        await Sentinels.PostAsync(http, "/api/v1/namespaces/fuzz/serviceaccounts", """{"apiVersion":"v1","kind":"ServiceAccount","metadata":{"name":"default"}}""");
        foreach (var res in ObjectTemplates.All.Where(r => r.Plural != "namespaces"))
            foreach (var name in HostileRequests.Names)
            {
                var ns = res.Namespaced ? HostileRequests.Namespace : null;
                var path = ns is null ? $"{res.Prefix}/{res.Plural}" : $"{res.Prefix}/namespaces/{ns}/{res.Plural}";
                await Sentinels.PostAsync(http, path, res.Object(name, ns).ToJsonString());
            }
    }

    /// <summary>The message of an answer without its numbers and quoted parts: server errors of one kind count once.</summary>
    private static string Signature(string answer)
    {
        string message;
        try { message = System.Text.Json.Nodes.JsonNode.Parse(answer)?["message"]?.ToString() ?? answer; }
        catch (System.Text.Json.JsonException) { message = answer; }
        return System.Text.RegularExpressions.Regex.Replace(message.Length > 300 ? message[..300] : message, "\"[^\"]*\"|'[^']*'|[0-9]+", "_");
    }

    private static int Setting(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : fallback;
}

/// <summary>Objects in a namespace the fuzzer never names, read back byte for byte.</summary>
internal sealed class Sentinels
{
    private readonly Dictionary<string, string> _bodies = [];

    public static async Task<Sentinels> CreateAsync(HttpClient http)
    {
        var ns = HostileRequests.SentinelNamespace;
        await PostAsync(http, "/api/v1/namespaces", $$$"""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"{{{ns}}}"}}""");
        // No controller runs in process: the namespace's default ServiceAccount, which pods need, is made here.
        await PostAsync(http, $"/api/v1/namespaces/{ns}/serviceaccounts", """{"apiVersion":"v1","kind":"ServiceAccount","metadata":{"name":"default"}}""");
        var sentinels = new Sentinels();
        foreach (var res in ObjectTemplates.All.Where(r => r.Namespaced))
        {
            var collection = $"{res.Prefix}/namespaces/{ns}/{res.Plural}";
            await PostAsync(http, collection, res.Object("keep", ns).ToJsonString());
            sentinels._bodies[$"{collection}/keep"] = await http.GetStringAsync($"{collection}/keep");
        }
        sentinels._bodies[$"/api/v1/namespaces/{ns}"] = await http.GetStringAsync($"/api/v1/namespaces/{ns}");
        return sentinels;
    }

    public async Task AssertIntactAsync(HttpClient http, string after)
    {
        foreach (var (path, body) in _bodies)
        {
            using var response = await http.GetAsync(path);
            var now = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK && now == body, $"{path} changed after {after}:\nbefore: {body}\nnow ({(int)response.StatusCode}): {now}");
        }
    }

    public static async Task PostAsync(HttpClient http, string path, string json)
    {
        using var response = await http.PostAsync(path, new StringContent(json, Encoding.UTF8, new MediaTypeHeaderValue("application/json")));
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"setup: POST {path} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }
}
