using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;

namespace Navarch.Agent.Certificates;

/// <summary>
/// Renews a certificate before it ends, as client-go's certificate manager: at a random point between 70 % and 90 % of
/// its validity (so that the nodes of a cluster do not all ask at once) it asks for a new one, and keeps using the old one
/// until the new one is issued and stored; then <c>install</c> switches to it. A failed renewal is tried again after
/// 2 s, doubling to 5 minutes, while the old certificate lasts (and after: only a new certificate helps).
/// </summary>
public sealed partial class CertificateRotation(string what, Func<CancellationToken, Task<X509Certificate2>> renew,
    Action<X509Certificate2> install, TimeProvider time, ILogger logger)
{
    private static readonly TimeSpan FirstRetry = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan LastRetry = TimeSpan.FromMinutes(5);

    /// <summary>When to renew <paramref name="certificate"/>: 70-90 % through its validity, chosen by <paramref name="random"/>.</summary>
    public static DateTimeOffset Deadline(X509Certificate2 certificate, Random random)
    {
        var notBefore = new DateTimeOffset(certificate.NotBefore.ToUniversalTime(), TimeSpan.Zero);
        var total = certificate.NotAfter.ToUniversalTime() - certificate.NotBefore.ToUniversalTime();
        return notBefore + total * (0.7 + 0.2 * random.NextDouble());
    }

    /// <summary>Renews <paramref name="current"/> and each certificate after it until cancelled.</summary>
    public async Task RunAsync(X509Certificate2 current, CancellationToken ct)
    {
        try
        {
            while (true)
            {
                var deadline = Deadline(current, Random.Shared);
                LogScheduled(what, deadline.UtcDateTime, current.NotAfter.ToUniversalTime());
                await DelayUntilAsync(deadline, ct);
                current = await RenewAsync(ct);
                install(current);
                LogRotated(what, current.NotAfter.ToUniversalTime());
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    private async Task<X509Certificate2> RenewAsync(CancellationToken ct)
    {
        var retry = FirstRetry;
        while (true)
        {
            try
            {
                return await renew(ct);
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                LogFailed(what, e.Message, retry.TotalSeconds);
                await Task.Delay(retry, time, ct);
                retry = retry * 2 < LastRetry ? retry * 2 : LastRetry;
            }
        }
    }

    /// <summary>Task.Delay takes at most ~49 days: a year's certificate waits in steps.</summary>
    private async Task DelayUntilAsync(DateTimeOffset deadline, CancellationToken ct)
    {
        for (var left = deadline - time.GetUtcNow(); left > TimeSpan.Zero; left = deadline - time.GetUtcNow())
            await Task.Delay(left < TimeSpan.FromDays(1) ? left : TimeSpan.FromDays(1), time, ct);
    }

    [LoggerMessage(EventId = 1, EventName = "CertificateRotationScheduled", Level = LogLevel.Information, Message = "{What} certificate valid until {NotAfter:u}: renewal at {Deadline:u}")]
    private partial void LogScheduled(string what, DateTime deadline, DateTime notAfter);

    [LoggerMessage(EventId = 2, EventName = "CertificateRotated", Level = LogLevel.Information, Message = "{What} certificate renewed, valid until {NotAfter:u}")]
    private partial void LogRotated(string what, DateTime notAfter);

    [LoggerMessage(EventId = 3, EventName = "CertificateRotationFailed", Level = LogLevel.Warning, Message = "renewing the {What} certificate failed: {Reason}; trying again in {Seconds} s")]
    private partial void LogFailed(string what, string reason, double seconds);
}
