using k8s;
using k8s.Autorest;
using k8s.Models;
using Navarch.Integration.Tests.Fixtures;
using Navarch.Testing;

namespace Navarch.Integration.Tests;

/// <summary>One etcd and one API server on it for the paging tests; each test works in a namespace of its own.</summary>
public sealed class EtcdServerFixture : IAsyncLifetime
{
    private EtcdCluster? _etcd;
    private ServerProcess? _server;
    private int _next;

    public EtcdCluster Etcd => _etcd ?? throw new InvalidOperationException("etcd is not started");
    public ServerProcess Server => _server ?? throw new InvalidOperationException("the server is not started");
    public Kubernetes Client { get; private set; } = null!;

    public async Task<string> NewNamespaceAsync(string prefix)
    {
        var name = $"{prefix}{Interlocked.Increment(ref _next)}";
        await TestNamespaces.CreateAsync(Client, name);
        return name;
    }

    public async Task InitializeAsync()
    {
        _etcd = await EtcdCluster.StartAsync();
        // No compaction of its own during the tests: the one that expires a token runs etcdctl compact.
        _server = await ServerProcess.StartAsync([.. ServerFixture.ApiServerOnly, "--storage-backend", "etcd", "--etcd-servers", _etcd.ServersFlag]);
        Client = new Kubernetes(new KubernetesClientConfiguration { Host = _server.Url });
    }

    public async Task DisposeAsync()
    {
        Client?.Dispose();
        if (_server is not null) await _server.DisposeAsync();
        if (_etcd is not null) await _etcd.DisposeAsync();
    }
}

/// <summary>Paged lists on etcd: every page shows the collection at the first page's revision (etcd range with a revision),
/// and a token whose revision etcd has compacted is 410 Gone with upstream's message.</summary>
[Trait("Category", "Integration")]
public sealed class EtcdPagingTests(EtcdServerFixture fixture) : IClassFixture<EtcdServerFixture>
{
    private Kubernetes Client => fixture.Client;

    [Fact]
    public async Task Later_pages_read_at_the_first_pages_revision_so_writes_between_pages_do_not_show()
    {
        var ns = await fixture.NewNamespaceAsync("consistent-");
        foreach (var name in new[] { "pod-0", "pod-1", "pod-2", "pod-3", "pod-4" })
            await Client.CoreV1.CreateNamespacedPodAsync(Objects.Pod(name), ns);
        var first = await Client.CoreV1.ListNamespacedPodAsync(ns, limit: 2);
        var before = first.Items.Select(p => p.Metadata.Name).ToList();

        // Between the pages: a pod after the cursor, a change to one not yet listed, a deletion of another.
        await Client.CoreV1.CreateNamespacedPodAsync(Objects.Pod("pod-5"), ns);
        var pod3 = await Client.CoreV1.ReadNamespacedPodAsync("pod-3", ns);
        pod3.Metadata.Labels = new Dictionary<string, string> { ["changed"] = "yes" };
        await Client.CoreV1.ReplaceNamespacedPodAsync(pod3, "pod-3", ns);
        await Client.CoreV1.DeleteNamespacedPodAsync("pod-4", ns, gracePeriodSeconds: 0);

        var rest = new List<V1Pod>();
        var token = first.Metadata.ContinueProperty;
        var pages = 1;
        while (!string.IsNullOrEmpty(token))
        {
            var page = await Client.CoreV1.ListNamespacedPodAsync(ns, limit: 2, continueParameter: token);
            Assert.Equal(first.Metadata.ResourceVersion, page.Metadata.ResourceVersion);
            rest.AddRange(page.Items);
            token = page.Metadata.ContinueProperty;
            Assert.True(++pages <= 3, "more pages than five pods need");
        }

        Assert.Equal(["pod-0", "pod-1", "pod-2", "pod-3", "pod-4"], before.Concat(rest.Select(p => p.Metadata.Name)));
        Assert.False(rest.Single(p => p.Metadata.Name == "pod-3").Metadata.Labels?.ContainsKey("changed") ?? false, "pod-3 shows the change made after the first page");
        Assert.All(rest, p => Assert.True(long.Parse(p.Metadata.ResourceVersion) <= long.Parse(first.Metadata.ResourceVersion)));
        var now = await Client.CoreV1.ListNamespacedPodAsync(ns);
        Assert.Equal(["pod-0", "pod-1", "pod-2", "pod-3", "pod-5"], now.Items.Select(p => p.Metadata.Name));
    }

    [Fact]
    public async Task A_continue_token_whose_revision_etcd_compacted_is_410_with_upstreams_message()
    {
        var ns = await fixture.NewNamespaceAsync("expired-");
        for (var i = 0; i < 4; i++) await Client.CoreV1.CreateNamespacedPodAsync(Objects.Pod($"pod-{i}"), ns);
        var first = await Client.CoreV1.ListNamespacedPodAsync(ns, limit: 2);
        await Client.CoreV1.CreateNamespacedPodAsync(Objects.Pod("after-the-first-page"), ns);
        var newest = long.Parse((await Client.CoreV1.ListNamespacedPodAsync(ns)).Metadata.ResourceVersion);
        var compact = await EtcdBackendTests.RunAsync("etcdctl", "--endpoints", fixture.Etcd.ServersFlag, "compact", newest.ToString());
        Assert.True(compact.ExitCode == 0, $"etcdctl compact: {compact.Error}");

        var gone = await Assert.ThrowsAsync<HttpOperationException>(() =>
            Client.CoreV1.ListNamespacedPodAsync(ns, limit: 2, continueParameter: first.Metadata.ContinueProperty));

        Assert.Equal(System.Net.HttpStatusCode.Gone, gone.Response.StatusCode);
        var status = KubernetesJson.Deserialize<V1Status>(gone.Response.Content);
        Assert.Equal(("Expired", 410), (status.Reason, status.Code ?? 0));
        Assert.Equal(
            "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.",
            status.Message);
    }

    [Fact]
    public async Task Kubectl_chunk_size_pages_through_every_pod_once()
    {
        var ns = await fixture.NewNamespaceAsync("chunks-");
        var names = Enumerable.Range(0, 7).Select(i => $"pod-{i}").ToList();
        foreach (var name in names) await Client.CoreV1.CreateNamespacedPodAsync(Objects.Pod(name), ns);
        using var kubectl = new Kubectl(fixture.Server.Url);

        var get = await kubectl.RunAsync("get", "pods", "-n", ns, "--chunk-size=3", "-o", "name", "-v=6");

        Assert.True(get.ExitCode == 0, get.ToString());
        Assert.Equal(names.Select(n => $"pod/{n}"), get.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        var requests = get.Stderr.Split('\n').Where(l => l.Contains($"/namespaces/{ns}/pods?", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, requests.Count(l => l.Contains("limit=3", StringComparison.Ordinal)));
        Assert.Equal(2, requests.Count(l => l.Contains("continue=", StringComparison.Ordinal)));
    }
}
