using Navarch.Client;
using k8s;
using k8s.Models;
using Navarch.Controllers.GarbageCollector;
using Navarch.Controllers.PodControl;

namespace Navarch.Controllers.Namespace;

/// <summary>
/// Deletes everything in a namespace (upstream's namespacedResourcesDeleter): a delete-collection of every
/// namespaced resource the server serves, then a list of each to see what is left, how long terminating
/// pods may still take, and which finalizers hold the rest.
/// </summary>
public sealed class NamespaceContentDeleter(IKubernetes client, DynamicObjects objects)
{
    /// <summary>One pass: deletes what is there and reports what remains; <c>Wait</c> is the longest grace period left.</summary>
    public async Task<(DeletionReport Report, TimeSpan Wait)> DeleteAsync(string ns, CancellationToken ct)
    {
        IReadOnlyList<ApiResource> resources;
        try
        {
            resources = await objects.ResourcesAsync(ct, refresh: true);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return (new DeletionReport(ApiErrors.Message(e), [], new Dictionary<string, int>(), new Dictionary<string, int>()), TimeSpan.Zero);
        }
        var failures = new List<string>();
        var remaining = new Dictionary<string, int>();
        var finalizers = new Dictionary<string, int>();
        var wait = TimeSpan.Zero;
        foreach (var r in resources.Where(r => r.Namespaced && r.Supports("list") && (r.Supports("deletecollection") || r.Supports("delete"))))
        {
            var name = r.Group.Length == 0 ? r.Plural : $"{r.Plural}.{r.Group}";
            try
            {
                var left = await DeleteAllAsync(r, ns, ct);
                if (left.Count == 0) continue;
                remaining[name] = left.Count;
                foreach (var item in left)
                {
                    foreach (var f in item.Metadata.Finalizers ?? []) finalizers[f] = finalizers.GetValueOrDefault(f) + 1;
                    if (item.Metadata.DeletionGracePeriodSeconds is > 0 and var grace)
                        wait = TimeSpan.FromSeconds(Math.Max(wait.TotalSeconds, grace));
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                failures.Add($"{name}: {ApiErrors.Message(e)}");
            }
        }
        return (new DeletionReport(null, failures, remaining, finalizers), wait);
    }

    private async Task<IReadOnlyList<MetadataOnly>> DeleteAllAsync(ApiResource r, string ns, CancellationToken ct)
    {
        var options = new V1DeleteOptions { PropagationPolicy = "Background" };
        if (r.Supports("deletecollection"))
        {
            await client.CustomObjects.DeleteCollectionNamespacedCustomObjectAsync(r.Group, r.Version, ns, r.Plural, body: options, cancellationToken: ct);
        }
        else
        {
            foreach (var item in await ListAsync(r, ns, ct))
                await objects.DeleteAsync(r, ns, item.Metadata.Name, item.Metadata.Uid, "Background", ct);
        }
        return await ListAsync(r, ns, ct);
    }

    private async Task<IReadOnlyList<MetadataOnly>> ListAsync(ApiResource r, string ns, CancellationToken ct)
    {
        var response = await client.CustomObjects.ListNamespacedCustomObjectWithHttpMessagesAsync<MetadataOnlyList>(r.Group, r.Version, ns, r.Plural, cancellationToken: ct);
        return response.Body.Items;
    }
}
