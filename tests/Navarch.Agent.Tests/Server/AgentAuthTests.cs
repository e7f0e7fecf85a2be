using System.Net;
using System.Security.Cryptography.X509Certificates;
using Navarch.Agent.Runtime;
using Navarch.Cri;
using Navarch.Agent.Server;
using Navarch.Agent.Server.Auth;
using Navarch.ApiServer.Certificates;

namespace Navarch.Agent.Tests.Server;

/// <summary>How requests to the agent's server map to node attributes, as upstream kubelet's auth.go maps them.</summary>
public sealed class AgentRequestAttributesTests
{
    [Theory]
    [InlineData("GET", "/containerLogs/default/web/nginx", "get", "proxy")]
    [InlineData("GET", "/exec/default/web/nginx", "get", "proxy")]
    [InlineData("POST", "/exec/default/web/nginx", "create", "proxy")]
    [InlineData("POST", "/attach/default/web/nginx", "create", "proxy")]
    [InlineData("POST", "/portForward/default/web", "create", "proxy")]
    [InlineData("POST", "/run/default/web/nginx", "create", "proxy")]
    [InlineData("GET", "/stats/summary", "get", "stats")]
    [InlineData("GET", "/stats", "get", "stats")]
    [InlineData("GET", "/statsx", "get", "proxy")]
    [InlineData("GET", "/metrics/cadvisor", "get", "metrics")]
    [InlineData("GET", "/logs/syslog", "get", "log")]
    [InlineData("PUT", "/logs/", "update", "log")]
    [InlineData("PATCH", "/spec", "patch", "proxy")]
    [InlineData("DELETE", "/pods/x", "delete", "pods proxy")]
    [InlineData("GET", "/healthz", "get", "healthz proxy")]
    [InlineData("GET", "/configz", "get", "configz proxy")]
    public void Maps_method_and_path(string method, string path, string verb, string subresources)
    {
        var attributes = AgentRequestAttributes.For(method, path, "node-a");
        Assert.Equal(verb, attributes.Verb);
        Assert.Equal(subresources.Split(' '), attributes.Subresources);
        Assert.Equal("node-a", attributes.NodeName);
    }

    [Fact]
    public void Forbidden_message_is_upstreams()
    {
        Assert.Equal("Forbidden (user=system:node:b, verb=create, resource=nodes, subresource(s)=[proxy])",
            AgentRequestAttributes.For("POST", "/exec/ns/p/c", "a").ForbiddenMessage("system:node:b"));
    }
}

/// <summary>The agent's server with authentication and authorization on, over real TLS, with reviews answered by a fake.</summary>
[Trait("Category", "Integration")]
public sealed class AgentAuthTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("navarch-agent-auth-").FullName;
    private readonly FakeRuntime _runtime = new("10.244.0.0/24", ["nginx"]);
    private readonly CertificateAuthority _ca = CertificateAuthority.Create("test-ca", TimeSpan.FromDays(1), TimeProvider.System);
    private readonly FakeReviews _reviews = new();
    private AgentEndpoint _endpoint = null!;

    private sealed class FakeReviews : IAgentReviews
    {
        public Dictionary<string, AgentUser> Tokens { get; } = [];
        /// <summary>"user subresource" pairs that are allowed.</summary>
        public HashSet<string> Allowed { get; } = [];
        public Task<AgentUser?> ReviewTokenAsync(string token, CancellationToken ct) => Task.FromResult(Tokens.GetValueOrDefault(token));

        public Task<bool> AllowedAsync(AgentUser user, string verb, string subresource, string nodeName, CancellationToken ct) =>
            Task.FromResult(nodeName == "node-a" && Allowed.Contains($"{user.Name} {subresource}"));
    }

    public async Task InitializeAsync()
    {
        _reviews.Allowed.Add("kube-apiserver-kubelet-client proxy");
        _reviews.Allowed.Add("monitor healthz");
        _reviews.Tokens["good-token"] = new AgentUser("kube-apiserver-kubelet-client", []);
        _reviews.Tokens["monitor-token"] = new AgentUser("monitor", []);
        _endpoint = await AgentEndpoint.StartAsync(new AgentEndpointOptions
        {
            Address = IPAddress.Loopback, Port = 0, NodeName = "node-a", CertificateDirectory = Path.Combine(_dir, "pki"),
            Auth = new AgentAuthOptions { ClientCas = [X509CertificateLoader.LoadCertificate(_ca.Certificate.RawData)], Reviews = _reviews },
        }, _runtime, new RuntimeContainerLocator(_runtime));
    }

    public async Task DisposeAsync()
    {
        await _endpoint.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private HttpClient Client(X509Certificate2? certificate = null, string? token = null)
    {
        var handler = new SocketsHttpHandler { SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true } };
        if (certificate is not null) handler.SslOptions.ClientCertificates = [certificate];
        var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(20), BaseAddress = _endpoint.Url };
        if (token is not null) client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    private static async Task<(HttpStatusCode, string)> GetAsync(HttpClient client, string path)
    {
        using var r = await client.GetAsync(path);
        return (r.StatusCode, await r.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Anonymous_requests_get_401_on_every_path()
    {
        using var client = Client();
        foreach (var path in new[] { "/healthz", "/containerLogs/default/web/nginx", "/exec/default/web/nginx", "/nope" })
            Assert.Equal((HttpStatusCode.Unauthorized, "Unauthorized"), await GetAsync(client, path));
    }

    [Fact]
    public async Task A_certificate_of_another_ca_or_an_unknown_token_gets_401()
    {
        var other = CertificateAuthority.Create("other-ca", TimeSpan.FromDays(1), TimeProvider.System);
        using var stranger = Client(other.Issue("kube-apiserver-kubelet-client", [], CertificateUsage.Client, TimeSpan.FromHours(1)));
        Assert.Equal((HttpStatusCode.Unauthorized, "Unauthorized"), await GetAsync(stranger, "/healthz"));
        using var guesser = Client(token: "guessed");
        Assert.Equal((HttpStatusCode.Unauthorized, "Unauthorized"), await GetAsync(guesser, "/healthz"));
    }

    [Fact]
    public async Task Another_nodes_certificate_gets_upstreams_403()
    {
        using var nodeB = Client(_ca.Issue("system:node:node-b", ["system:nodes"], CertificateUsage.Client, TimeSpan.FromHours(1)));
        Assert.Equal((HttpStatusCode.Forbidden, "Forbidden (user=system:node:node-b, verb=get, resource=nodes, subresource(s)=[proxy])"),
            await GetAsync(nodeB, "/containerLogs/default/web/nginx"));
        using var response = await nodeB.PostAsync("/exec/default/web/nginx?command=id", new StringContent(""));
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("Forbidden (user=system:node:node-b, verb=create, resource=nodes, subresource(s)=[proxy])", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_api_servers_certificate_or_token_passes()
    {
        using var apiServer = Client(_ca.Issue("kube-apiserver-kubelet-client", [], CertificateUsage.Client, TimeSpan.FromHours(1)));
        Assert.Equal((HttpStatusCode.OK, "ok"), await GetAsync(apiServer, "/healthz"));
        Assert.Equal(HttpStatusCode.NotFound, (await GetAsync(apiServer, "/containerLogs/default/nope/nginx")).Item1); // through to the handler
        using var byToken = Client(token: "good-token");
        Assert.Equal((HttpStatusCode.OK, "ok"), await GetAsync(byToken, "/healthz"));
    }

    [Fact]
    public async Task Healthz_may_be_granted_alone_without_proxy()
    {
        using var monitor = Client(token: "monitor-token");
        Assert.Equal((HttpStatusCode.OK, "ok"), await GetAsync(monitor, "/healthz"));
        Assert.Equal((HttpStatusCode.Forbidden, "Forbidden (user=monitor, verb=get, resource=nodes, subresource(s)=[proxy])"),
            await GetAsync(monitor, "/containerLogs/default/web/nginx"));
    }
}
