using System.Net;

namespace Navarch.Client.Tests;

/// <summary>A client of several API servers: a server that cannot be connected to is skipped; a request that reached one is not sent again.</summary>
[Trait("Category", "Unit")]
public sealed class ServerFailoverHandlerTests
{
    /// <summary>Answers 200 from the hosts that are up; refuses the connection (nothing sent) or breaks it mid-request otherwise.</summary>
    private sealed class FakeServers(params string[] up) : HttpMessageHandler
    {
        public List<string> Sent { get; } = [];
        public HashSet<string> Broken { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
        {
            var host = request.RequestUri!.Authority;
            Sent.Add($"{request.Method} {request.RequestUri}");
            if (Broken.Contains(host)) throw new HttpRequestException(HttpRequestError.ResponseEnded, "the server went away mid-request");
            if (!up.Contains(host)) throw new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused");
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { RequestMessage = request });
        }
    }

    private static readonly Uri[] Servers = [new("http://10.0.0.1:8080"), new("http://10.0.0.2:8080")];

    [Fact]
    public async Task A_refused_server_is_skipped_and_the_next_requests_go_to_the_one_that_answered()
    {
        var servers = new FakeServers("10.0.0.2:8080");
        using var client = new HttpClient(new ServerFailoverHandler(Servers) { InnerHandler = servers });

        var first = await client.PostAsync("http://10.0.0.1:8080/api/v1/namespaces/default/pods?x=1", new StringContent("{}"));
        var second = await client.GetAsync("http://10.0.0.1:8080/api/v1/pods");

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(
            [
                "POST http://10.0.0.1:8080/api/v1/namespaces/default/pods?x=1",
                "POST http://10.0.0.2:8080/api/v1/namespaces/default/pods?x=1",
                "GET http://10.0.0.2:8080/api/v1/pods",
            ], servers.Sent);
    }

    [Fact]
    public async Task A_request_that_reached_a_server_is_not_sent_again_and_no_server_up_fails_after_trying_each_once()
    {
        var servers = new FakeServers("10.0.0.1:8080");
        servers.Broken.Add("10.0.0.1:8080");
        using var client = new HttpClient(new ServerFailoverHandler(Servers) { InnerHandler = servers });

        var midRequest = await Assert.ThrowsAsync<HttpRequestException>(() => client.PostAsync("http://10.0.0.1:8080/api/v1/namespaces", new StringContent("{}")));
        servers.Broken.Clear();
        var down = new FakeServers();
        using var none = new HttpClient(new ServerFailoverHandler(Servers) { InnerHandler = down });
        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => none.GetAsync("http://10.0.0.1:8080/readyz"));

        Assert.Equal(HttpRequestError.ResponseEnded, midRequest.HttpRequestError);
        Assert.Single(servers.Sent);
        Assert.Equal(HttpRequestError.ConnectionError, refused.HttpRequestError);
        Assert.Equal(["GET http://10.0.0.1:8080/readyz", "GET http://10.0.0.2:8080/readyz"], down.Sent);
    }
}
