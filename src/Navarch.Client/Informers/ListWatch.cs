using k8s;
using k8s.Models;

namespace Navarch.Client.Informers;

/// <summary>How an informer lists and watches one resource type through the API (any namespace).</summary>
/// <param name="List">Lists every object; returns the items and the list's resourceVersion.</param>
/// <param name="Watch">Watches from a resourceVersion (with bookmarks) until the server ends the stream.</param>
public sealed record ListWatch<T>(
    Func<CancellationToken, Task<(IReadOnlyList<T> Items, string ResourceVersion)>> List,
    Func<string, CancellationToken, IAsyncEnumerable<(WatchEventType Type, T Object)>> Watch)
    where T : IKubernetesObject<V1ObjectMeta>;

/// <summary>List-watch pairs for the resources Navarch's loops use, over the official client.</summary>
public static class ListWatches
{
    // The server ends a watch after this; the informer then watches again from where it was.
    private const int WatchTimeoutSeconds = 300;

    public static ListWatch<V1Pod> Pods(IKubernetes client, string? fieldSelector = null) => new(
        async ct =>
        {
            var l = await client.CoreV1.ListPodForAllNamespacesAsync(fieldSelector: fieldSelector, cancellationToken: ct);
            return (l.Items.ToList(), l.Metadata.ResourceVersion);
        },
        (rv, ct) => client.CoreV1.WatchListPodForAllNamespacesAsync(fieldSelector: fieldSelector, resourceVersion: rv,
            allowWatchBookmarks: true, timeoutSeconds: WatchTimeoutSeconds, cancellationToken: ct));

    public static ListWatch<V1Node> Nodes(IKubernetes client) => new(
        async ct =>
        {
            var l = await client.CoreV1.ListNodeAsync(cancellationToken: ct);
            return (l.Items.ToList(), l.Metadata.ResourceVersion);
        },
        (rv, ct) => client.CoreV1.WatchListNodeAsync(resourceVersion: rv, allowWatchBookmarks: true,
            timeoutSeconds: WatchTimeoutSeconds, cancellationToken: ct));

    public static ListWatch<V1Service> Services(IKubernetes client) => new(
        async ct =>
        {
            var l = await client.CoreV1.ListServiceForAllNamespacesAsync(cancellationToken: ct);
            return (l.Items.ToList(), l.Metadata.ResourceVersion);
        },
        (rv, ct) => client.CoreV1.WatchListServiceForAllNamespacesAsync(resourceVersion: rv, allowWatchBookmarks: true,
            timeoutSeconds: WatchTimeoutSeconds, cancellationToken: ct));

    public static ListWatch<V1Endpoints> Endpoints(IKubernetes client) => new(
        async ct =>
        {
            var l = await client.CoreV1.ListEndpointsForAllNamespacesAsync(cancellationToken: ct);
            return (l.Items.ToList(), l.Metadata.ResourceVersion);
        },
        (rv, ct) => client.CoreV1.WatchListEndpointsForAllNamespacesAsync(resourceVersion: rv, allowWatchBookmarks: true,
            timeoutSeconds: WatchTimeoutSeconds, cancellationToken: ct));

    public static ListWatch<V1ReplicationController> ReplicationControllers(IKubernetes client) => new(
        async ct =>
        {
            var l = await client.CoreV1.ListReplicationControllerForAllNamespacesAsync(cancellationToken: ct);
            return (l.Items.ToList(), l.Metadata.ResourceVersion);
        },
        (rv, ct) => client.CoreV1.WatchListReplicationControllerForAllNamespacesAsync(resourceVersion: rv, allowWatchBookmarks: true,
            timeoutSeconds: WatchTimeoutSeconds, cancellationToken: ct));

    public static ListWatch<V1Namespace> Namespaces(IKubernetes client) => new(
        async ct =>
        {
            var l = await client.CoreV1.ListNamespaceAsync(cancellationToken: ct);
            return (l.Items.ToList(), l.Metadata.ResourceVersion);
        },
        (rv, ct) => client.CoreV1.WatchListNamespaceAsync(resourceVersion: rv, allowWatchBookmarks: true,
            timeoutSeconds: WatchTimeoutSeconds, cancellationToken: ct));

    public static ListWatch<V1EndpointSlice> EndpointSlices(IKubernetes client) => new(
        async ct =>
        {
            var l = await client.DiscoveryV1.ListEndpointSliceForAllNamespacesAsync(cancellationToken: ct);
            return (l.Items.ToList(), l.Metadata.ResourceVersion);
        },
        (rv, ct) => client.DiscoveryV1.WatchListEndpointSliceForAllNamespacesAsync(resourceVersion: rv, allowWatchBookmarks: true,
            timeoutSeconds: WatchTimeoutSeconds, cancellationToken: ct));

    public static ListWatch<V1Lease> Leases(IKubernetes client) => new(
        async ct =>
        {
            var l = await client.CoordinationV1.ListLeaseForAllNamespacesAsync(cancellationToken: ct);
            return (l.Items.ToList(), l.Metadata.ResourceVersion);
        },
        (rv, ct) => client.CoordinationV1.WatchListLeaseForAllNamespacesAsync(resourceVersion: rv, allowWatchBookmarks: true,
            timeoutSeconds: WatchTimeoutSeconds, cancellationToken: ct));
}
