using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Navarch.Agent.Node;

/// <summary>
/// The node's heartbeat: the coordination.k8s.io/v1 Lease <c>kube-node-lease/NODE</c>, held by the node and
/// renewed on every beat (upstream's node lease controller). Created on first use with an owner reference
/// to the Node, so it goes when the Node goes. One caller at a time.
/// </summary>
public sealed class NodeLease(IKubernetes client, string nodeName, TimeSpan duration, TimeProvider time)
{
    /// <summary>The namespace of node leases.</summary>
    public const string Namespace = "kube-node-lease";

    private V1Lease? _lease;

    /// <summary>The node's UID, for the lease's owner reference (set once the node is registered).</summary>
    public string? NodeUid { get; set; }

    /// <summary>Renews the lease (creating it if missing). On a conflict the cached copy is dropped and the error passes through.</summary>
    public async Task RenewAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        if (_lease is null)
        {
            try
            {
                _lease = await client.CoordinationV1.ReadNamespacedLeaseAsync(nodeName, Namespace, cancellationToken: ct);
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
            {
                _lease = await client.CoordinationV1.CreateNamespacedLeaseAsync(New(now), Namespace, cancellationToken: ct);
                return;
            }
        }
        _lease.Spec ??= new V1LeaseSpec();
        _lease.Spec.HolderIdentity = nodeName;
        _lease.Spec.LeaseDurationSeconds = (int)duration.TotalSeconds;
        _lease.Spec.RenewTime = now;
        if (_lease.Metadata.OwnerReferences is null or { Count: 0 } && NodeUid is not null) _lease.Metadata.OwnerReferences = [Owner()];
        try
        {
            _lease = await client.CoordinationV1.ReplaceNamespacedLeaseAsync(_lease, nodeName, Namespace, cancellationToken: ct);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode is System.Net.HttpStatusCode.Conflict or System.Net.HttpStatusCode.NotFound)
        {
            _lease = null;
            throw;
        }
    }

    private V1Lease New(DateTime now) => new()
    {
        ApiVersion = "coordination.k8s.io/v1",
        Kind = "Lease",
        Metadata = new V1ObjectMeta
        {
            Name = nodeName,
            NamespaceProperty = Namespace,
            OwnerReferences = NodeUid is null ? null : [Owner()],
        },
        Spec = new V1LeaseSpec
        {
            HolderIdentity = nodeName,
            LeaseDurationSeconds = (int)duration.TotalSeconds,
            RenewTime = now,
        },
    };

    private V1OwnerReference Owner() => new() { ApiVersion = "v1", Kind = "Node", Name = nodeName, Uid = NodeUid };
}
