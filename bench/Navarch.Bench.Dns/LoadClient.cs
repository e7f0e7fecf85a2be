using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Navarch.Bench.Dns;

/// <summary>What one load run measured.</summary>
internal sealed record LoadResult(int Sent, int Answered, double Seconds, double P50Ms, double P99Ms, int UnexpectedCode)
{
    public double Rate => Answered / Seconds;
    public double Lost => Sent == 0 ? 0 : 1 - (double)Answered / Sent;
}

/// <summary>
/// The load client: one UDP socket on loopback, queries sent either as fast as a window of outstanding ones allows
/// (the rate a server sustains) or paced at a fixed rate (latency at that rate); replies matched by transaction ID.
/// </summary>
internal static class LoadClient
{
    /// <summary>Closed loop: keeps <paramref name="window"/> queries outstanding for <paramref name="duration"/>.</summary>
    public static Task<LoadResult> SaturateAsync(IPEndPoint target, byte[] query, TimeSpan duration, int window = 64, int expectedCode = -1) =>
        RunAsync(target, query, duration, rate: 0, window, expectedCode);

    /// <summary>Open loop: sends at <paramref name="rate"/> queries per second for <paramref name="duration"/>.</summary>
    public static Task<LoadResult> PacedAsync(IPEndPoint target, byte[] query, TimeSpan duration, int rate, int expectedCode = -1) =>
        RunAsync(target, query, duration, rate, window: 0, expectedCode);

    private static async Task<LoadResult> RunAsync(IPEndPoint target, byte[] query, TimeSpan duration, int rate, int window, int expectedCode)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.ReceiveBufferSize = 4 << 20;
        socket.Connect(target);
        var sentAt = new long[65536];
        var latencies = new List<double>(1 << 20);
        var answered = 0;
        var unexpected = 0;
        var sent = 0;
        using var slots = new SemaphoreSlim(window > 0 ? window : int.MaxValue);
        using var stop = new CancellationTokenSource();
        var clock = Stopwatch.StartNew();

        var receiving = Task.Run(async () =>
        {
            var buffer = new byte[4096];
            try
            {
                while (true)
                {
                    var n = await socket.ReceiveAsync(buffer, SocketFlags.None, stop.Token);
                    var now = Stopwatch.GetTimestamp();
                    if (n < 12) continue;
                    var id = QueryPacket.Id(buffer);
                    var at = Interlocked.Exchange(ref sentAt[id], 0);
                    if (at == 0) continue;
                    latencies.Add(Stopwatch.GetElapsedTime(at, now).TotalMilliseconds);
                    answered++;
                    if (expectedCode >= 0 && QueryPacket.ReturnCode(buffer) != expectedCode) unexpected++;
                    if (window > 0) slots.Release();
                }
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException) { }
        });

        var packet = (byte[])query.Clone();
        ushort next = 0;
        while (clock.Elapsed < duration)
        {
            if (window > 0)
            {
                // A lost reply must not stall the loop for good: wait for a slot at most 50 ms.
                if (!await slots.WaitAsync(50)) { continue; }
            }
            else if (sent >= clock.Elapsed.TotalSeconds * rate)
            {
                // Ahead of the schedule: wait a timer tick (~1 ms), then send what has come due since, back to back.
                await Task.Delay(1);
                continue;
            }
            next++;
            QueryPacket.SetId(packet, next);
            Volatile.Write(ref sentAt[next], Stopwatch.GetTimestamp());
            socket.Send(packet);
            sent++;
        }
        var seconds = clock.Elapsed.TotalSeconds;
        await Task.Delay(200); // replies still on their way
        stop.Cancel();
        await receiving;
        latencies.Sort();
        double Pct(double p) => latencies.Count == 0 ? double.NaN : latencies[Math.Min(latencies.Count - 1, (int)(p * latencies.Count))];
        return new LoadResult(sent, answered, seconds, Pct(0.50), Pct(0.99), unexpected);
    }
}
