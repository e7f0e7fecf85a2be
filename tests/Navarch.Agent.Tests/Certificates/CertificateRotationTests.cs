using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Navarch.Agent.Certificates;

namespace Navarch.Agent.Tests.Certificates;

public sealed class CertificateRotationTests
{
    private static X509Certificate2 Certificate(DateTimeOffset notBefore, TimeSpan lifetime)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return new CertificateRequest("CN=system:node:n", key, HashAlgorithmName.SHA256).CreateSelfSigned(notBefore, notBefore + lifetime);
    }

    [Fact]
    public void The_renewal_point_lies_between_70_and_90_percent_of_the_validity()
    {
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        using var cert = Certificate(start, TimeSpan.FromDays(100));
        var random = new Random(7);
        var points = Enumerable.Range(0, 200).Select(_ => CertificateRotation.Deadline(cert, random)).ToList();
        Assert.All(points, p => Assert.InRange(p, start.AddDays(70), start.AddDays(90)));
        Assert.True(points.Max() - points.Min() > TimeSpan.FromDays(15), "the points are spread, not all at one moment");
    }

    [Fact]
    public async Task It_renews_at_the_renewal_point_keeps_the_old_certificate_while_renewal_fails_and_installs_the_new()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        using var first = Certificate(time.GetUtcNow(), TimeSpan.FromHours(10));
        var installed = new List<X509Certificate2>();
        var attempts = 0;
        var renewed = new TaskCompletionSource();
        using var second = Certificate(time.GetUtcNow().AddHours(9), TimeSpan.FromHours(10));
        var rotation = new CertificateRotation("client", _ =>
        {
            attempts++;
            if (attempts == 1) throw new InvalidOperationException("server unreachable");
            return Task.FromResult(second);
        }, c => { installed.Add(c); renewed.TrySetResult(); }, time, NullLogger.Instance);
        using var stop = new CancellationTokenSource();
        var run = rotation.RunAsync(first, stop.Token);

        time.Advance(TimeSpan.FromHours(6.9));
        await Task.Yield();
        Assert.Equal(0, attempts);
        Assert.Empty(installed);
        time.Advance(TimeSpan.FromHours(2.1)); // past 90 %: the first attempt fails
        await WaitForAsync(() => attempts == 1);
        Assert.Empty(installed);
        // The retry waits 2 s of the fake clock, whose timer the rotation sets on another thread: advance in steps.
        for (var step = 0; step < 100 && !renewed.Task.IsCompleted; step++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            await Task.WhenAny(renewed.Task, Task.Delay(20));
        }
        Assert.True(renewed.Task.IsCompleted, "the retry installed no certificate");
        Assert.Equal(2, attempts);
        Assert.Same(second, Assert.Single(installed));

        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(10));
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("the rotation did not get there");
            await Task.Delay(10);
        }
    }
}
