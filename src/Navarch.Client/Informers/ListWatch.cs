using k8s;
using k8s.Models;
using Navarch.Api.Resources;

namespace Navarch.Client.Informers;

/// <summary>How an informer lists and watches one resource type through the API (any namespace).</summary>
/// <param name="List">Lists every object; returns the items and the list's resourceVersion.</param>
/// <param name="Watch">Watches from a resourceVersion (with bookmarks) until the server ends the stream.</param>
public sealed record ListWatch<T>(
    Func<CancellationToken, Task<(IReadOnlyList<T> Items, string ResourceVersion)>> List,
    Func<string, CancellationToken, IAsyncEnumerable<(WatchEventType Type, T Object)>> Watch)
    where T : IKubernetesObject<V1ObjectMeta>;

/// <summary>The list-watch pair of any served resource, over the official client's generic (custom object) calls.</summary>
public static class ListWatches
{
    // The server ends a watch after this; the informer then watches again from where it was.
    private const int WatchTimeoutSeconds = 300;

    /// <summary>
    /// Lists and watches every object of <typeparamref name="T"/> (any namespace), optionally narrowed by a field
    /// selector. The resource is the one <see cref="ResourceCatalog"/> serves for the model; the core group goes
    /// through <c>/apis//v1</c>, which the server reads as <c>/api/v1</c>.
    /// </summary>
    public static ListWatch<T> For<T>(IKubernetes client, string? fieldSelector = null)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        if (Typed(client, fieldSelector, typeof(T)) is ListWatch<T> typed) return typed;
        var rt = ResourceCatalog.FindByModel(typeof(T))
            ?? throw new ArgumentException($"{typeof(T).Name} is not the model of a served resource", nameof(T));
#pragma warning disable CS0618 // the suggested replacement (WatchListClusterCustomObjectAsync) yields untyped objects
        return new(
            async ct =>
            {
                var l = await client.CustomObjects.ListClusterCustomObjectAsync<ObjectList<T>>(
                    rt.Group, rt.Version, rt.Plural, fieldSelector: fieldSelector, cancellationToken: ct);
                return (l.Items, l.Metadata?.ResourceVersion ?? "");
            },
            (rv, ct) => client.CustomObjects.ListClusterCustomObjectWithHttpMessagesAsync<ObjectList<T>>(
                    rt.Group, rt.Version, rt.Plural, allowWatchBookmarks: true, fieldSelector: fieldSelector, resourceVersion: rv,
                    timeoutSeconds: WatchTimeoutSeconds, watch: true, cancellationToken: ct)
                .WatchAsync<T, ObjectList<T>>(cancellationToken: ct));
#pragma warning restore CS0618
    }

    /// <summary>
    /// The typed calls for the kinds the node agent watches. The agent is compiled ahead of time, where the generic
    /// path's <see cref="ObjectList{T}"/> cannot be deserialized (its members are trimmed away), while the client's
    /// own list types are kept; these also use the upstream paths (<c>/api/v1</c>) instead of <c>/apis//v1</c>.
    /// </summary>
    private static object? Typed(IKubernetes client, string? fieldSelector, Type model) =>
        model == typeof(V1Pod) ? new ListWatch<V1Pod>(
            async ct =>
            {
                var l = await client.CoreV1.ListPodForAllNamespacesAsync(fieldSelector: fieldSelector, cancellationToken: ct);
                return (l.Items.ToList(), l.Metadata.ResourceVersion);
            },
            (rv, ct) => client.CoreV1.WatchListPodForAllNamespacesAsync(fieldSelector: fieldSelector, resourceVersion: rv,
                allowWatchBookmarks: true, timeoutSeconds: WatchTimeoutSeconds, cancellationToken: ct))
        : model == typeof(V1Service) ? new ListWatch<V1Service>(
            async ct =>
            {
                var l = await client.CoreV1.ListServiceForAllNamespacesAsync(fieldSelector: fieldSelector, cancellationToken: ct);
                return (l.Items.ToList(), l.Metadata.ResourceVersion);
            },
            (rv, ct) => client.CoreV1.WatchListServiceForAllNamespacesAsync(fieldSelector: fieldSelector, resourceVersion: rv,
                allowWatchBookmarks: true, timeoutSeconds: WatchTimeoutSeconds, cancellationToken: ct))
        : model == typeof(V1EndpointSlice) ? new ListWatch<V1EndpointSlice>(
            async ct =>
            {
                var l = await client.DiscoveryV1.ListEndpointSliceForAllNamespacesAsync(fieldSelector: fieldSelector, cancellationToken: ct);
                return (l.Items.ToList(), l.Metadata.ResourceVersion);
            },
            (rv, ct) => client.DiscoveryV1.WatchListEndpointSliceForAllNamespacesAsync(fieldSelector: fieldSelector, resourceVersion: rv,
                allowWatchBookmarks: true, timeoutSeconds: WatchTimeoutSeconds, cancellationToken: ct))
        : null;

    /// <summary>A list of any kind as the API sends it (<c>metadata</c> and <c>items</c>).</summary>
    private sealed class ObjectList<T>
    {
        [System.Text.Json.Serialization.JsonPropertyName("metadata")]
        public V1ListMeta? Metadata { get; set; }

        [System.Text.Json.Serialization.JsonPropertyName("items")]
        public List<T> Items { get; set; } = [];
    }
}
