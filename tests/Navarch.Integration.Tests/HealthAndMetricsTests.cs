using System.Text.RegularExpressions;
using k8s;
using Navarch.Integration.Tests.Fixtures;

namespace Navarch.Integration.Tests;

/// <summary>Health endpoints and Prometheus metrics per verb and resource (the time to ready is a benchmark figure: bench/Navarch.Bench.Api).</summary>
[Trait("Category", "Integration")]
public sealed class HealthAndMetricsTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    [Theory]
    [InlineData("/healthz")]
    [InlineData("/readyz")]
    [InlineData("/livez")]
    public async Task Health_endpoints_answer_ok(string path)
    {
        using var response = await fixture.Http.GetAsync(path);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("ok", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Verbose_health_lists_each_check_as_upstream_does()
    {
        Assert.Equal("[+]ping ok\n[+]etcd ok\n[+]etcd-readiness ok\n[+]informer-sync ok\n[+]shutdown ok\nreadyz check passed\n",
            await fixture.Http.GetStringAsync("/readyz?verbose"));
        Assert.Equal("[+]ping ok\n[+]etcd excluded: ok\nwarn: some health checks cannot be excluded: no matches for \"nope\"\nlivez check passed\n",
            await fixture.Http.GetStringAsync("/livez?verbose&exclude=etcd&exclude=nope"));
        Assert.Equal("ok", await fixture.Http.GetStringAsync("/readyz/shutdown"));
    }

    [Fact]
    public async Task Metrics_count_requests_by_verb_and_resource()
    {
        var ns = await fixture.NewNamespaceAsync("metrics-");
        await fixture.Client.CoreV1.ListNamespacedPodAsync(ns);
        await ApiAssert.FailsAsync(404, () => fixture.Client.CoreV1.ReadNamespacedPodAsync("nope", ns));

        var text = await fixture.Http.GetStringAsync("/metrics");
        var lines = text.Split('\n').Where(l => l.StartsWith("apiserver_request_total{", StringComparison.Ordinal)).ToList();
        bool Has(string verb, string resource, string code) => lines.Any(l =>
            l.Contains($"verb=\"{verb}\"") && l.Contains($"resource=\"{resource}\"") && l.Contains($"code=\"{code}\"")
            && Regex.IsMatch(l, @"\} [1-9][0-9]*(\.0+)?$"));
        Assert.True(Has("LIST", "pods", "200"), $"no LIST pods 200 count in:\n{string.Join('\n', lines)}");
        Assert.True(Has("GET", "pods", "404"), $"no GET pods 404 count in:\n{string.Join('\n', lines)}");
        Assert.True(Has("POST", "namespaces", "201"), $"no POST namespaces 201 count in:\n{string.Join('\n', lines)}");
        Assert.Contains("# TYPE apiserver_request_total counter", text);
    }
}
