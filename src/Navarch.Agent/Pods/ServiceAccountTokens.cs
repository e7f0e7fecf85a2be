using System.Collections.Concurrent;
using k8s.Models;

namespace Navarch.Agent.Pods;

/// <summary>
/// The tokens of projected <c>serviceAccountToken</c> sources, as upstream's kubelet token manager: asked for with a
/// TokenRequest bound to the pod (kind Pod, name and UID), kept per pod, service account, audience and lifetime, and
/// asked for again once 80% of the lifetime has passed or the token is 24 h old. While the server refuses, a token
/// that has not expired yet keeps being served.
/// </summary>
public sealed class ServiceAccountTokens(IReferencedObjects api, TimeProvider time)
{
    /// <summary>Upstream's default <c>expirationSeconds</c> of a projected token (1 h).</summary>
    public const long DefaultExpirationSeconds = 3600;
    private static readonly TimeSpan MaxAge = TimeSpan.FromHours(24);

    private readonly ConcurrentDictionary<string, Authenticationv1TokenRequest> _tokens = new(StringComparer.Ordinal);

    /// <summary>
    /// The token for <paramref name="source"/> in <paramref name="pod"/>, from the cache or freshly requested.
    /// Throws <see cref="VolumeException"/> ("failed to fetch token: …") when none can be had.
    /// </summary>
    public async Task<string> GetAsync(V1Pod pod, V1ServiceAccountTokenProjection source, CancellationToken ct)
    {
        var ns = pod.Metadata.NamespaceProperty ?? "default";
        var account = string.IsNullOrEmpty(pod.Spec.ServiceAccountName) ? "default" : pod.Spec.ServiceAccountName;
        var seconds = source.ExpirationSeconds ?? DefaultExpirationSeconds;
        var key = $"{pod.Metadata.Uid}/{ns}/{account}/{source.Audience}/{seconds}";
        var now = time.GetUtcNow();
        _tokens.TryGetValue(key, out var cached);
        if (cached is not null && !RequiresRefresh(cached, now)) return cached.Status.Token;
        var request = new Authenticationv1TokenRequest
        {
            Spec = new V1TokenRequestSpec
            {
                // No audience: the server's own (upstream sends none too).
                Audiences = string.IsNullOrEmpty(source.Audience) ? [] : [source.Audience],
                ExpirationSeconds = seconds,
                BoundObjectRef = new V1BoundObjectReference { ApiVersion = "v1", Kind = "Pod", Name = pod.Metadata.Name, Uid = pod.Metadata.Uid },
            },
        };
        try
        {
            var answer = await api.RequestTokenAsync(ns, account, request, ct);
            if (string.IsNullOrEmpty(answer.Status?.Token) || answer.Status.ExpirationTimestamp is null)
                throw new ObjectReadException("the TokenRequest's answer has no token or no expirationTimestamp");
            answer.Spec ??= request.Spec;
            answer.Spec.ExpirationSeconds ??= seconds;
            _tokens[key] = answer;
            return answer.Status.Token;
        }
        catch (ObjectReadException e)
        {
            if (cached is not null && Expiry(cached) > now) return cached.Status.Token;
            throw new VolumeException($"failed to fetch token: {e.Message}");
        }
    }

    /// <summary>Forgets the tokens of a pod that is gone.</summary>
    public void Forget(string podUid)
    {
        foreach (var key in _tokens.Keys.Where(k => k.StartsWith(podUid + "/", StringComparison.Ordinal))) _tokens.TryRemove(key, out _);
    }

    /// <summary>
    /// Upstream's rule: a token is asked for again once it expired, once 80% of its lifetime has passed, or once it
    /// was issued 24 h ago (its issue time being its expiry less its lifetime).
    /// </summary>
    public static bool RequiresRefresh(Authenticationv1TokenRequest token, DateTimeOffset now)
    {
        var expiry = Expiry(token);
        var lifetime = TimeSpan.FromSeconds(token.Spec?.ExpirationSeconds ?? DefaultExpirationSeconds);
        var issued = expiry - lifetime;
        return now >= expiry || now >= issued + MaxAge || now >= expiry - lifetime * 0.2;
    }

    private static DateTimeOffset Expiry(Authenticationv1TokenRequest token) =>
        new(DateTime.SpecifyKind(token.Status.ExpirationTimestamp!.Value, DateTimeKind.Utc));
}
