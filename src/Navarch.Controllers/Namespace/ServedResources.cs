using k8s;
using k8s.Models;

namespace Navarch.Controllers.Namespace;

/// <summary>One resource the API server serves, as discovery describes it.</summary>
public sealed record ApiResource(string Group, string Version, string Kind, string Plural, bool Namespaced, IReadOnlyList<string> Verbs)
{
    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    public bool Supports(string verb) => Verbs.Contains(verb);
}

/// <summary>
/// The resources an API server serves, read through discovery (<c>/api/v1</c>, <c>/apis</c> and each group's
/// preferred version), so that namespace deletion and garbage collection cover kinds this code never heard of.
/// </summary>
public sealed class ServedResources(IKubernetes client)
{
    /// <summary>Every top-level resource (no subresources), core first.</summary>
    public async Task<IReadOnlyList<ApiResource>> ListAsync(CancellationToken ct)
    {
        var result = new List<ApiResource>();
        var core = await client.CoreV1.GetAPIResourcesAsync(ct);
        result.AddRange(Convert("", "v1", core));
        var groups = await client.Apis.GetAPIVersionsAsync(ct);
        foreach (var group in groups.Groups ?? [])
        {
            var version = group.PreferredVersion?.Version ?? group.Versions?.FirstOrDefault()?.Version;
            if (version is null) continue;
            if (await GroupResourcesAsync(group.Name, version, ct) is { } list) result.AddRange(Convert(group.Name, version, list));
        }
        return result;
    }

    /// <summary>The resource for an ownerReference's apiVersion and kind, or null when none is served.</summary>
    public static ApiResource? Find(IEnumerable<ApiResource> resources, string apiVersion, string kind) =>
        resources.FirstOrDefault(r => r.ApiVersion == apiVersion && r.Kind == kind);

    private static IEnumerable<ApiResource> Convert(string group, string version, V1APIResourceList list) =>
        (list.Resources ?? []).Where(r => !r.Name.Contains('/', StringComparison.Ordinal))
            .Select(r => new ApiResource(group, version, r.Kind, r.Name, r.Namespaced, r.Verbs?.ToList() ?? []));

    // The official client has no generic "resources of group/version" call; use its HTTP pipeline directly.
    private async Task<V1APIResourceList?> GroupResourcesAsync(string group, string version, CancellationToken ct)
    {
        if (client is not Kubernetes k) return null;
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(k.BaseUri, $"apis/{group}/{version}"));
        if (k.Credentials is not null) await k.Credentials.ProcessHttpRequestAsync(request, ct);
        using var response = await k.HttpClient.SendAsync(request, ct);
        if (!response.IsSuccessStatusCode) return null;
        return KubernetesJson.Deserialize<V1APIResourceList>(await response.Content.ReadAsStringAsync(ct));
    }
}
