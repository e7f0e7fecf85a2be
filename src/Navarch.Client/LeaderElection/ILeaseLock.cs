using k8s;
using k8s.Models;

namespace Navarch.Client.LeaderElection;

/// <summary>The lease record leader election reads and writes (a coordination.k8s.io/v1 Lease's spec, with its resourceVersion).</summary>
public sealed record LeaseRecord(string? HolderIdentity, int LeaseDurationSeconds, DateTime? AcquireTime, DateTime? RenewTime,
    int LeaseTransitions, string? ResourceVersion = null);

/// <summary>Where the lease lives. Writes are conditional: <see cref="UpdateAsync"/> fails (returns false) when the record's
/// resourceVersion is no longer current, <see cref="CreateAsync"/> when the lease exists.</summary>
public interface ILeaseLock
{
    /// <summary>A name for logs, e.g. kube-system/kube-scheduler.</summary>
    string Description { get; }

    /// <summary>The current record, or null when there is no lease.</summary>
    Task<LeaseRecord?> GetAsync(CancellationToken ct);

    Task<bool> CreateAsync(LeaseRecord record, CancellationToken ct);

    Task<bool> UpdateAsync(LeaseRecord record, CancellationToken ct);
}

/// <summary>A Lease object through the API server, as upstream's LeaseLock (resourcelock/leaselock.go).</summary>
public sealed class LeaseLock(IKubernetes client, string ns, string name) : ILeaseLock
{
    public string Description => $"{ns}/{name}";

    public async Task<LeaseRecord?> GetAsync(CancellationToken ct)
    {
        try
        {
            var lease = await client.CoordinationV1.ReadNamespacedLeaseAsync(name, ns, cancellationToken: ct).ConfigureAwait(false);
            var s = lease.Spec ?? new V1LeaseSpec();
            return new LeaseRecord(s.HolderIdentity, s.LeaseDurationSeconds ?? 0, s.AcquireTime, s.RenewTime, s.LeaseTransitions ?? 0,
                lease.Metadata.ResourceVersion);
        }
        catch (Exception e) when (ApiErrors.IsNotFound(e))
        {
            return null;
        }
    }

    public async Task<bool> CreateAsync(LeaseRecord record, CancellationToken ct)
    {
        try
        {
            await client.CoordinationV1.CreateNamespacedLeaseAsync(Lease(record), ns, cancellationToken: ct).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (ApiErrors.Code(e) == System.Net.HttpStatusCode.Conflict)
        {
            return false; // AlreadyExists: someone else created it first
        }
    }

    public async Task<bool> UpdateAsync(LeaseRecord record, CancellationToken ct)
    {
        try
        {
            await client.CoordinationV1.ReplaceNamespacedLeaseAsync(Lease(record), name, ns, cancellationToken: ct).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (ApiErrors.IsConflict(e) || ApiErrors.IsNotFound(e))
        {
            return false;
        }
    }

    private V1Lease Lease(LeaseRecord r) => new()
    {
        ApiVersion = "coordination.k8s.io/v1",
        Kind = "Lease",
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns, ResourceVersion = r.ResourceVersion },
        Spec = new V1LeaseSpec
        {
            HolderIdentity = r.HolderIdentity,
            LeaseDurationSeconds = r.LeaseDurationSeconds,
            AcquireTime = r.AcquireTime,
            RenewTime = r.RenewTime,
            LeaseTransitions = r.LeaseTransitions,
        },
    };
}
