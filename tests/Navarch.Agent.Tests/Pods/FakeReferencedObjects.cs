using k8s.Models;
using Navarch.Agent.Pods;

namespace Navarch.Agent.Tests.Pods;

/// <summary>
/// ConfigMaps, Secrets and a token issuer held in memory: records every read and TokenRequest, can be told to refuse
/// tokens; each token is "token-N" expiring <c>expirationSeconds</c> after the clock's now.
/// </summary>
internal sealed class FakeReferencedObjects(TimeProvider time) : IReferencedObjects
{
    public Dictionary<string, V1ConfigMap> ConfigMaps { get; } = [];
    public Dictionary<string, V1Secret> Secrets { get; } = [];
    public List<string> Reads { get; } = [];
    public List<(string Namespace, string ServiceAccount, Authenticationv1TokenRequest Request)> TokenRequests { get; } = [];

    /// <summary>When set, TokenRequests fail with this message.</summary>
    public string? RefuseTokens { get; set; }

    public void AddConfigMap(string ns, string name, Dictionary<string, string> data) =>
        ConfigMaps[$"{ns}/{name}"] = new V1ConfigMap { Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns }, Data = data };

    public void AddSecret(string ns, string name, Dictionary<string, string> data) =>
        Secrets[$"{ns}/{name}"] = new V1Secret
        {
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns },
            Data = data.ToDictionary(p => p.Key, p => System.Text.Encoding.UTF8.GetBytes(p.Value)),
        };

    public Task<V1ConfigMap?> ConfigMapAsync(string @namespace, string name, CancellationToken ct)
    {
        Reads.Add($"configmap {@namespace}/{name}");
        return Task.FromResult(ConfigMaps.GetValueOrDefault($"{@namespace}/{name}"));
    }

    public Task<V1Secret?> SecretAsync(string @namespace, string name, CancellationToken ct)
    {
        Reads.Add($"secret {@namespace}/{name}");
        return Task.FromResult(Secrets.GetValueOrDefault($"{@namespace}/{name}"));
    }

    public Task<Authenticationv1TokenRequest> RequestTokenAsync(string @namespace, string serviceAccount, Authenticationv1TokenRequest request, CancellationToken ct)
    {
        TokenRequests.Add((@namespace, serviceAccount, request));
        if (RefuseTokens is { } why) throw new ObjectReadException(why);
        return Task.FromResult(new Authenticationv1TokenRequest
        {
            Spec = request.Spec,
            Status = new V1TokenRequestStatus
            {
                Token = $"token-{TokenRequests.Count}",
                ExpirationTimestamp = time.GetUtcNow().UtcDateTime.AddSeconds(request.Spec.ExpirationSeconds ?? 3600),
            },
        });
    }
}
