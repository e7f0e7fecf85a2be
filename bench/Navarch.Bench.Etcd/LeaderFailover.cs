using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Navarch.Bench.Api;

namespace Navarch.Bench.Etcd;

/// <summary>One kill of the leading server: how long after its lease expired the standby took it, and after the kill.</summary>
internal sealed record Failover(TimeSpan AfterExpiry, TimeSpan AfterKill);

/// <summary>
/// Two full <c>navarch server</c>s (API server, controller manager, scheduler; leader-elected) on one etcd. Each round
/// SIGKILLs the server whose controller manager holds the <c>kube-controller-manager</c> Lease, waits for the other to take
/// it, and starts a new standby. The failover time is the standby's <c>acquireTime</c> minus the lease's expiry (the dead
/// leader's last <c>renewTime</c> plus <c>leaseDurationSeconds</c>): what a standby adds on top of the lease duration.
/// </summary>
internal sealed class LeaderFailover(IReadOnlyList<string> storeArgs) : IAsyncDisposable
{
    private const string LeasePath = "/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/kube-controller-manager";
    private static readonly TimeSpan RoundTimeout = TimeSpan.FromSeconds(45);
    private readonly List<ServerProcess> _servers = [];

    private sealed record Lease(string Holder, DateTime? AcquireTime, DateTime? RenewTime, int DurationSeconds);

    public async Task<List<Failover>> RunAsync(int kills, Action<string> step, CancellationToken ct)
    {
        for (var i = 0; i < 2; i++) await StartServerAsync(ct);
        var results = new List<Failover>();
        for (var round = 1; round <= kills; round++)
        {
            var (leader, held) = await LeaderAsync(ct);
            var standby = _servers.Single(s => s != leader);
            var killedAt = DateTime.UtcNow;
            _servers.Remove(leader);
            await leader.DisposeAsync(); // SIGKILL: no lease release, the standby must wait for expiry
            var last = await ReadLeaseAsync(standby, ct) ?? held; // the dead leader's last renewal
            var taken = await UntilAsync(async () => await ReadLeaseAsync(standby, ct) is { } l && l.Holder != held.Holder && standby.Leads(l.Holder) ? l : null,
                $"round {round}: the standby to take the lease", ct);
            var expiry = last.RenewTime!.Value + TimeSpan.FromSeconds(last.DurationSeconds);
            results.Add(new Failover(taken.AcquireTime!.Value - expiry, taken.AcquireTime!.Value - killedAt));
            step($"kill {round}/{kills}: standby acting {results[^1].AfterExpiry.TotalMilliseconds:0} ms after the lease expired, {results[^1].AfterKill.TotalSeconds:0.0} s after the kill");
            await StartServerAsync(ct); // the next round's standby
        }
        return results;
    }

    private async Task StartServerAsync(CancellationToken ct)
    {
        var server = ServerProcess.Start(storeArgs, controlPlane: true);
        _servers.Add(server);
        await server.WaitReadyAsync(TimeSpan.FromSeconds(30), ct);
    }

    /// <summary>The server whose controller manager holds the lease, once one does and has said so.</summary>
    private async Task<(ServerProcess Leader, Lease Lease)> LeaderAsync(CancellationToken ct)
    {
        var found = await UntilAsync(async () =>
        {
            var lease = await ReadLeaseAsync(_servers[0], ct);
            return lease is null || _servers.FirstOrDefault(s => s.Leads(lease.Holder)) is not { } leader ? null : new Tuple<ServerProcess, Lease>(leader, lease);
        }, "a controller manager to lead", ct);
        return (found.Item1, found.Item2);
    }

    private static async Task<Lease?> ReadLeaseAsync(ServerProcess server, CancellationToken ct)
    {
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = server.Url, Timeout = TimeSpan.FromSeconds(5) };
        try
        {
            using var response = await http.GetAsync(LeasePath, ct);
            if (!response.IsSuccessStatusCode) return null;
            using var doc = JsonDocument.Parse(await response.Content.ReadAsByteArrayAsync(ct));
            var spec = doc.RootElement.GetProperty("spec");
            return spec.TryGetProperty("holderIdentity", out var h) && h.GetString() is { Length: > 0 } holder
                ? new Lease(holder, Time(spec, "acquireTime"), Time(spec, "renewTime"), spec.GetProperty("leaseDurationSeconds").GetInt32())
                : null;
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    private static DateTime? Time(JsonElement spec, string name) =>
        spec.TryGetProperty(name, out var v) && v.GetString() is { } text
            ? DateTime.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal)
            : null;

    private static async Task<T> UntilAsync<T>(Func<Task<T?>> probe, string phase, CancellationToken ct) where T : class
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < RoundTimeout)
        {
            if (await probe() is { } found) return found;
            await Task.Delay(20, ct);
        }
        throw new TimeoutException($"{phase}: nothing within {RoundTimeout.TotalSeconds:0} s");
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var server in _servers) await server.DisposeAsync();
        _servers.Clear();
    }
}
