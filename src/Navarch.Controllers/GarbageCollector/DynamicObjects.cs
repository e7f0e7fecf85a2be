using Navarch.Client;
using k8s;
using k8s.Models;
using Navarch.Controllers.Namespace;
using Navarch.Controllers.PodControl;

namespace Navarch.Controllers.GarbageCollector;

/// <summary>
/// Reads, patches and deletes objects of any served kind by apiVersion and kind (upstream's dynamic/metadata
/// client), over the official client's generic operations.
/// </summary>
public sealed class DynamicObjects(IKubernetes client, TimeProvider time)
{
    private static readonly TimeSpan RediscoverAfter = TimeSpan.FromSeconds(30);
    private readonly ServedResources _discovery = new(client);
    // Guards _resources and _discoveredAt.
    private readonly SemaphoreSlim _lock = new(1, 1);
    private IReadOnlyList<ApiResource> _resources = [];
    private DateTimeOffset _discoveredAt = DateTimeOffset.MinValue;

    /// <summary>Every served resource (discovery, cached; refreshed at most every 30 s).</summary>
    public async Task<IReadOnlyList<ApiResource>> ResourcesAsync(CancellationToken ct, bool refresh = false)
    {
        await _lock.WaitAsync(ct);
        try
        {
            var now = time.GetUtcNow();
            if (_resources.Count == 0 || (refresh && now - _discoveredAt > RediscoverAfter))
            {
                _resources = await _discovery.ListAsync(ct);
                _discoveredAt = now;
            }
            return _resources;
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>The served resource of a kind, or null when the server serves none (after one re-discovery).</summary>
    public async Task<ApiResource?> ResolveAsync(string apiVersion, string kind, CancellationToken ct) =>
        ServedResources.Find(await ResourcesAsync(ct), apiVersion, kind)
        ?? ServedResources.Find(await ResourcesAsync(ct, refresh: true), apiVersion, kind);

    /// <summary>The object's metadata as the server has it now; null when it does not exist.</summary>
    public async Task<MetadataOnly?> GetAsync(ApiResource r, string? ns, string name, CancellationToken ct)
    {
        try
        {
            var response = r.Namespaced
                ? await client.CustomObjects.GetNamespacedCustomObjectWithHttpMessagesAsync<MetadataOnly>(r.Group, r.Version, ns!, r.Plural, name, cancellationToken: ct)
                : await client.CustomObjects.GetClusterCustomObjectWithHttpMessagesAsync<MetadataOnly>(r.Group, r.Version, r.Plural, name, cancellationToken: ct);
            return response.Body;
        }
        catch (Exception e) when (ApiErrors.IsNotFound(e))
        {
            return null;
        }
    }

    /// <summary>Deletes the object if it still has <paramref name="uid"/>; a missing or replaced object is not an error.</summary>
    public async Task DeleteAsync(ApiResource r, string? ns, string name, string uid, string propagationPolicy, CancellationToken ct)
    {
        var options = new V1DeleteOptions { Preconditions = new V1Preconditions { Uid = uid }, PropagationPolicy = propagationPolicy };
        try
        {
            if (r.Namespaced) await client.CustomObjects.DeleteNamespacedCustomObjectAsync(r.Group, r.Version, ns!, r.Plural, name, options, cancellationToken: ct);
            else await client.CustomObjects.DeleteClusterCustomObjectAsync(r.Group, r.Version, r.Plural, name, options, cancellationToken: ct);
        }
        catch (Exception e) when (ApiErrors.IsNotFound(e) || ApiErrors.IsConflict(e))
        {
        }
    }

    /// <summary>Patches the object; throws on any error (404 included) so callers decide.</summary>
    public async Task PatchAsync(ApiResource r, string? ns, string name, V1Patch patch, CancellationToken ct)
    {
        if (r.Namespaced) await client.CustomObjects.PatchNamespacedCustomObjectAsync(patch, r.Group, r.Version, ns!, r.Plural, name, cancellationToken: ct);
        else await client.CustomObjects.PatchClusterCustomObjectAsync(patch, r.Group, r.Version, r.Plural, name, cancellationToken: ct);
    }

    /// <summary>
    /// Removes <paramref name="finalizer"/> from the object, guarded by its resourceVersion (a concurrent
    /// change fails with 409 and the caller retries). Nothing to do when it is gone or lacks the finalizer.
    /// </summary>
    public async Task RemoveFinalizerAsync(ApiResource r, string? ns, string name, string uid, string finalizer, CancellationToken ct)
    {
        var live = await GetAsync(r, ns, name, ct);
        if (live is null || live.Metadata.Uid != uid || live.Metadata.Finalizers?.Contains(finalizer) != true) return;
        var rest = live.Metadata.Finalizers.Where(f => f != finalizer).ToList();
        var body = new { metadata = new { finalizers = rest, resourceVersion = live.Metadata.ResourceVersion } };
        try
        {
            await PatchAsync(r, ns, name, new V1Patch(KubernetesJson.Serialize(body), V1Patch.PatchType.MergePatch), ct);
        }
        catch (Exception e) when (ApiErrors.IsNotFound(e))
        {
        }
    }
}
