using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Navarch.Dns.Hosting;

/// <summary>
/// Which cluster DNS servers are alive. Navarch runs one DNS server beside each API server (upstream runs CoreDNS pods),
/// so each keeps a <c>coordination.k8s.io</c> Lease in <c>kube-system</c> while it lives, as API servers keep their
/// identity leases; kube-dns's endpoints are written from the leases that have not expired. A server that stops deletes
/// its lease; a killed one drops out once its lease expires; any live server deletes expired leases.
/// </summary>
public sealed class DnsServerLeases(IKubernetes client, IPEndPoint self, TimeSpan duration, TimeProvider time)
{
    /// <summary>The label every DNS server lease carries, so the leases are listed by one selector.</summary>
    public const string Label = "navarch.io/cluster-dns-server";

    /// <summary>How long a lease lives without renewal; servers renew every third of it.</summary>
    public static readonly TimeSpan DefaultDuration = TimeSpan.FromSeconds(15);

    public TimeSpan Duration => duration;

    /// <summary>This server's lease, named after its address (<c>kube-dns-192-168-0-201</c>).</summary>
    public string LeaseName { get; } = "kube-dns-" + self.Address.ToString().Replace('.', '-').Replace(':', '-');

    /// <summary>Renews (or takes) this server's lease and returns the addresses of every live server on this server's port.</summary>
    public async Task<IReadOnlyList<IPAddress>> RenewAsync(CancellationToken ct)
    {
        var lease = new V1Lease
        {
            Metadata = new V1ObjectMeta { Name = LeaseName, NamespaceProperty = KubeDnsService.Namespace, Labels = new Dictionary<string, string> { [Label] = "true" } },
            Spec = new V1LeaseSpec
            {
                HolderIdentity = self.ToString(),
                LeaseDurationSeconds = (int)Math.Ceiling(duration.TotalSeconds),
                RenewTime = time.GetUtcNow().UtcDateTime,
            },
        };
        var existing = await ReadAsync(ct);
        if (existing is null)
        {
            await client.CoordinationV1.CreateNamespacedLeaseAsync(lease, KubeDnsService.Namespace, cancellationToken: ct);
        }
        else
        {
            lease.Metadata.ResourceVersion = existing.Metadata.ResourceVersion;
            await client.CoordinationV1.ReplaceNamespacedLeaseAsync(lease, LeaseName, KubeDnsService.Namespace, cancellationToken: ct);
        }
        return await LiveServersAsync(ct);
    }

    /// <summary>Deletes this server's lease and returns the servers still live.</summary>
    public async Task<IReadOnlyList<IPAddress>> ReleaseAsync(CancellationToken ct)
    {
        try
        {
            await client.CoordinationV1.DeleteNamespacedLeaseAsync(LeaseName, KubeDnsService.Namespace, cancellationToken: ct);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
        }
        return await LiveServersAsync(ct);
    }

    private async Task<IReadOnlyList<IPAddress>> LiveServersAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var live = new SortedSet<string>(StringComparer.Ordinal);
        var leases = await client.CoordinationV1.ListNamespacedLeaseAsync(KubeDnsService.Namespace, labelSelector: Label, cancellationToken: ct);
        foreach (var lease in leases.Items)
        {
            if (IsLive(lease, now))
            {
                if (IPEndPoint.TryParse(lease.Spec.HolderIdentity ?? "", out var server) && server.Port == self.Port)
                    live.Add(server.Address.ToString());
                continue;
            }
            await DeleteExpiredAsync(lease, ct);
        }
        return live.Select(IPAddress.Parse).ToList();
    }

    private static bool IsLive(V1Lease lease, DateTime now) =>
        lease.Spec?.RenewTime is { } renewed && lease.Spec.LeaseDurationSeconds is { } seconds &&
        DateTime.SpecifyKind(renewed, DateTimeKind.Utc).AddSeconds(seconds) > now;

    // Deleted only in the version read: a server that renewed meanwhile keeps its lease.
    private async Task DeleteExpiredAsync(V1Lease lease, CancellationToken ct)
    {
        try
        {
            await client.CoordinationV1.DeleteNamespacedLeaseAsync(lease.Metadata.Name, KubeDnsService.Namespace,
                new V1DeleteOptions { Preconditions = new V1Preconditions { ResourceVersion = lease.Metadata.ResourceVersion } }, cancellationToken: ct);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Conflict)
        {
        }
    }

    private async Task<V1Lease?> ReadAsync(CancellationToken ct)
    {
        try
        {
            return await client.CoordinationV1.ReadNamespacedLeaseAsync(LeaseName, KubeDnsService.Namespace, cancellationToken: ct);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }
}
