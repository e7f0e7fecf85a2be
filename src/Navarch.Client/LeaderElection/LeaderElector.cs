using Microsoft.Extensions.Logging;

namespace Navarch.Client.LeaderElection;

/// <param name="Identity">This candidate's holderIdentity (upstream: hostname_uuid).</param>
/// <param name="LeaseDuration">How long a standby waits, after it last saw the lease change, before taking it.</param>
/// <param name="RenewDeadline">How long the leader keeps trying to renew before it stops acting.</param>
/// <param name="RetryPeriod">Between attempts to acquire or renew (a standby's attempts are jittered by up to 20 %).</param>
public sealed record LeaderElectionConfig(string Identity, TimeSpan LeaseDuration, TimeSpan RenewDeadline, TimeSpan RetryPeriod)
{
    /// <summary>Upstream's factor: a standby waits up to this many retry periods between attempts.</summary>
    public const double JitterFactor = 1.2;

    /// <summary>
    /// Navarch's defaults, shorter than upstream's 15/10/2 s so that a standby acts within 15 s of the leader's death in the
    /// worst case (<see cref="WorstTakeover"/>: 10 s + 2 × 1.8 s = 13.6 s), and the leader, which stops acting 7 s after its
    /// last renewal, stops 3 s before any standby may start.
    /// </summary>
    public static readonly TimeSpan DefaultLeaseDuration = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan DefaultRenewDeadline = TimeSpan.FromSeconds(7);
    public static readonly TimeSpan DefaultRetryPeriod = TimeSpan.FromSeconds(1.5);

    public static LeaderElectionConfig Default(string identity) =>
        new(identity, DefaultLeaseDuration, DefaultRenewDeadline, DefaultRetryPeriod);

    /// <summary>Upstream's identity: the host name and a random suffix, unique per process.</summary>
    public static string NewIdentity() => $"{Environment.MachineName}_{Guid.NewGuid()}";

    /// <summary>
    /// The longest a standby can take to act after the leader dies: the leader's last renewal can reach the standby one
    /// (jittered) retry period late, the lease then runs its duration, and the standby's next attempt can come one more
    /// retry period later. The shortest is the lease duration minus one retry period.
    /// </summary>
    public TimeSpan WorstTakeover => LeaseDuration + 2 * JitterFactor * RetryPeriod;

    /// <summary>Upstream's checks (client-go's NewLeaderElector, component-base's validation), with their words.</summary>
    public void Validate()
    {
        if (LeaseDuration <= TimeSpan.Zero) throw new ArgumentException("leaseDuration must be greater than zero");
        if (RenewDeadline <= TimeSpan.Zero) throw new ArgumentException("renewDeadline must be greater than zero");
        if (RetryPeriod <= TimeSpan.Zero) throw new ArgumentException("retryPeriod must be greater than zero");
        if (LeaseDuration <= RenewDeadline) throw new ArgumentException("leaseDuration must be greater than renewDeadline");
        if (RenewDeadline <= JitterFactor * RetryPeriod) throw new ArgumentException("renewDeadline must be greater than retryPeriod*JitterFactor");
        if (LeaseDuration < TimeSpan.FromSeconds(1)) throw new ArgumentException("leaseDuration must be at least 1s (a Lease counts whole seconds)");
    }
}

/// <summary>
/// Leader election over a lease, as client-go's leaderelection: candidates try every retry period to take a lease whose
/// holder has not renewed it for a lease duration, measured on their own clock from when they last saw the record change
/// (so clocks need not agree). The leader renews every retry period; when it has not managed to for the renew deadline it
/// stops acting, before any standby can take over (renew deadline &lt; lease duration). Only one acts at a time.
/// </summary>
public sealed partial class LeaderElector(ILeaseLock lease, LeaderElectionConfig config, TimeProvider time, ILogger log)
{
    // The last record seen and when (this clock) it was first seen: the lease expires a lease duration after that.
    private LeaseRecord? _observed;
    private long _observedAt;

    public bool IsLeader { get; private set; }

    /// <summary>
    /// Waits to be leader, runs <paramref name="whileLeading"/> with a token cancelled when leadership is lost, waits for it to
    /// finish, and then stands by again, until <paramref name="ct"/> is cancelled. When <paramref name="whileLeading"/> ends by
    /// itself (not cancelled), RunAsync ends with it, releasing the lease.
    /// </summary>
    public async Task RunAsync(Func<CancellationToken, Task> whileLeading, CancellationToken ct)
    {
        config.Validate();
        while (!ct.IsCancellationRequested)
        {
            await AcquireAsync(ct).ConfigureAwait(false);
            IsLeader = true;
            LogLeading(lease.Description, config.Identity);
            using var leading = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var work = whileLeading(leading.Token);
            var renewing = RenewUntilLostAsync(work, leading.Token);
            await Task.WhenAny(work, renewing).ConfigureAwait(false);
            await leading.CancelAsync().ConfigureAwait(false);
            try
            {
                await work.ConfigureAwait(false); // stop acting before anything else
            }
            catch (OperationCanceledException) when (leading.IsCancellationRequested)
            {
            }
            finally
            {
                IsLeader = false;
            }
            var lost = await renewing.ConfigureAwait(false);
            if (!lost)
            {
                await ReleaseAsync().ConfigureAwait(false);
                if (!ct.IsCancellationRequested) return; // the work ended by itself
            }
            else
            {
                LogLost(lease.Description, config.Identity);
            }
        }
        ct.ThrowIfCancellationRequested();
    }

    private async Task AcquireAsync(CancellationToken ct)
    {
        while (!await TryAcquireOrRenewAsync(ct).ConfigureAwait(false))
            await Task.Delay(Jittered(config.RetryPeriod), time, ct).ConfigureAwait(false);
    }

    /// <summary>Renews every retry period; returns true when a renew deadline passed without a successful renew (leadership
    /// lost), false when <paramref name="work"/> ended or the token was cancelled.</summary>
    private async Task<bool> RenewUntilLostAsync(Task work, CancellationToken ct)
    {
        var lastRenew = time.GetTimestamp();
        try
        {
            while (!work.IsCompleted)
            {
                await Task.Delay(config.RetryPeriod, time, ct).ConfigureAwait(false);
                using var attempt = CancellationTokenSource.CreateLinkedTokenSource(ct);
                attempt.CancelAfter(config.RenewDeadline - time.GetElapsedTime(lastRenew));
                bool renewed;
                try
                {
                    renewed = await TryAcquireOrRenewAsync(attempt.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                    renewed = false;
                }
                if (renewed)
                    lastRenew = time.GetTimestamp();
                else if (time.GetElapsedTime(lastRenew) + config.RetryPeriod >= config.RenewDeadline)
                    return true; // the next attempt would come too late: stop acting now
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        return false;
    }

    /// <summary>One attempt: takes the lease if it is free or expired, renews it if ours. False when someone else holds it or
    /// the write lost a race; API failures count as false too (they are retried).</summary>
    internal async Task<bool> TryAcquireOrRenewAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        try
        {
            var current = await lease.GetAsync(ct).ConfigureAwait(false);
            if (current is null)
            {
                var created = new LeaseRecord(config.Identity, (int)config.LeaseDuration.TotalSeconds, now, now, 0);
                return await WroteAsync(lease.CreateAsync(created, ct)).ConfigureAwait(false);
            }
            if (current != _observed)
            {
                _observed = current;
                _observedAt = time.GetTimestamp();
            }
            var ours = current.HolderIdentity == config.Identity;
            var expired = time.GetElapsedTime(_observedAt) > TimeSpan.FromSeconds(current.LeaseDurationSeconds);
            if (!ours && !string.IsNullOrEmpty(current.HolderIdentity) && !expired)
                return false;
            var next = ours
                ? current with { RenewTime = now, LeaseDurationSeconds = (int)config.LeaseDuration.TotalSeconds }
                : new LeaseRecord(config.Identity, (int)config.LeaseDuration.TotalSeconds, now, now, current.LeaseTransitions + 1, current.ResourceVersion);
            return await WroteAsync(lease.UpdateAsync(next, ct)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogAttemptFailed(lease.Description, e.Message);
            return false;
        }
    }

    private async Task<bool> WroteAsync(Task<bool> write)
    {
        if (!await write.ConfigureAwait(false))
            return false;
        _observed = null; // the next read carries the new resourceVersion
        _observedAt = time.GetTimestamp();
        return true;
    }

    /// <summary>Gives the lease up on a clean stop so a standby need not wait for it to expire (upstream's ReleaseOnCancel).</summary>
    private async Task ReleaseAsync()
    {
        using var timeout = new CancellationTokenSource(config.RetryPeriod);
        try
        {
            var current = await lease.GetAsync(timeout.Token).ConfigureAwait(false);
            if (current?.HolderIdentity == config.Identity)
                await lease.UpdateAsync(current with { HolderIdentity = null, LeaseDurationSeconds = 1 }, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            LogAttemptFailed(lease.Description, e.Message);
        }
    }

    private static TimeSpan Jittered(TimeSpan period) => period * (1 + Random.Shared.NextDouble() * (LeaderElectionConfig.JitterFactor - 1));

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "leader election {Lease}: {Identity} is now the leader")]
    private partial void LogLeading(string lease, string identity);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "leader election {Lease}: {Identity} lost the lease and stopped acting")]
    private partial void LogLost(string lease, string identity);

    [LoggerMessage(EventId = 3, Level = LogLevel.Debug, Message = "leader election {Lease}: attempt failed: {Reason}")]
    private partial void LogAttemptFailed(string lease, string reason);
}
