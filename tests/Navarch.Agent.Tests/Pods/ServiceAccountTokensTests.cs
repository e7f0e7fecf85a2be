using k8s.Models;
using Microsoft.Extensions.Time.Testing;
using Navarch.Agent.Pods;

namespace Navarch.Agent.Tests.Pods;

/// <summary>The kubelet's token manager rules: cached per pod and audience, renewed at 80% of the lifetime or after 24 h.</summary>
[Trait("Category", "Unit")]
public sealed class ServiceAccountTokensTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 8, 0, 0, 0, TimeSpan.Zero));
    private readonly FakeReferencedObjects _api;
    private readonly ServiceAccountTokens _tokens;

    public ServiceAccountTokensTests()
    {
        _api = new FakeReferencedObjects(_time);
        _tokens = new ServiceAccountTokens(_api, _time);
    }

    private static V1Pod Pod(string uid = "uid-1") => new()
    {
        Metadata = new V1ObjectMeta { Name = "web", NamespaceProperty = "default", Uid = uid },
        Spec = new V1PodSpec(),
    };

    private Task<string> GetAsync(V1Pod pod, long? seconds = null, string? audience = null) =>
        _tokens.GetAsync(pod, new V1ServiceAccountTokenProjection { Path = "token", ExpirationSeconds = seconds, Audience = audience }, CancellationToken.None);

    [Fact]
    public async Task A_token_is_reused_until_80_percent_of_its_lifetime_then_renewed()
    {
        var pod = Pod();
        Assert.Equal("token-1", await GetAsync(pod));
        Assert.Equal("default", _api.TokenRequests[0].ServiceAccount);
        Assert.Equal(ServiceAccountTokens.DefaultExpirationSeconds, _api.TokenRequests[0].Request.Spec.ExpirationSeconds);

        _time.Advance(TimeSpan.FromSeconds(2879));
        Assert.Equal("token-1", await GetAsync(pod));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal("token-2", await GetAsync(pod));
        Assert.Equal(2, _api.TokenRequests.Count);
    }

    [Fact]
    public async Task Tokens_are_kept_per_pod_and_audience_and_forgotten_with_the_pod()
    {
        Assert.Equal("token-1", await GetAsync(Pod("a")));
        Assert.Equal("token-2", await GetAsync(Pod("b")));
        Assert.Equal("token-3", await GetAsync(Pod("a"), audience: "vault"));
        Assert.Equal("token-1", await GetAsync(Pod("a")));
        _tokens.Forget("a");
        Assert.Equal("token-4", await GetAsync(Pod("a")));
        Assert.Equal("token-2", await GetAsync(Pod("b")));
    }

    [Fact]
    public void Long_lived_tokens_are_renewed_after_24_hours()
    {
        var issued = _time.GetUtcNow();
        var week = new Authenticationv1TokenRequest
        {
            Spec = new V1TokenRequestSpec { ExpirationSeconds = 7 * 24 * 3600 },
            Status = new V1TokenRequestStatus { Token = "t", ExpirationTimestamp = issued.UtcDateTime.AddDays(7) },
        };
        Assert.False(ServiceAccountTokens.RequiresRefresh(week, issued.AddHours(23)));
        Assert.True(ServiceAccountTokens.RequiresRefresh(week, issued.AddHours(24)));
    }

    [Fact]
    public async Task While_the_server_refuses_an_unexpired_token_is_kept_and_then_the_failure_shows()
    {
        var pod = Pod();
        await GetAsync(pod, seconds: 600);
        _api.RefuseTokens = "the server is currently unable to handle the request";

        _time.Advance(TimeSpan.FromSeconds(500));
        Assert.Equal("token-1", await GetAsync(pod, seconds: 600));
        _time.Advance(TimeSpan.FromSeconds(100));
        var e = await Assert.ThrowsAsync<VolumeException>(() => GetAsync(pod, seconds: 600));
        Assert.Equal("failed to fetch token: the server is currently unable to handle the request", e.Message);

        _api.RefuseTokens = null;
        Assert.Equal("token-4", await GetAsync(pod, seconds: 600));
    }
}
