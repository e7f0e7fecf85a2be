using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

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
/// Sender and receiver are threads of their own, blocking on the socket, so the client adds no thread-pool hops
/// to what it measures; paced sends are spread evenly with sub-millisecond sleeps, since sends bunched on a 1 ms
/// timer tick would queue behind each other and charge that queueing to the server.
/// </summary>
internal static partial class LoadClient
{
    /// <summary>Closed loop: keeps <paramref name="window"/> queries outstanding for <paramref name="duration"/>.</summary>
    public static Task<LoadResult> SaturateAsync(IPEndPoint target, byte[] query, TimeSpan duration, int window = 64, int expectedCode = -1) =>
        Task.Run(() => Run(target, query, duration, rate: 0, window, expectedCode));

    /// <summary>Open loop: sends at <paramref name="rate"/> queries per second for <paramref name="duration"/>.</summary>
    public static Task<LoadResult> PacedAsync(IPEndPoint target, byte[] query, TimeSpan duration, int rate, int expectedCode = -1) =>
        Task.Run(() => Run(target, query, duration, rate, window: 0, expectedCode));

    private static LoadResult Run(IPEndPoint target, byte[] query, TimeSpan duration, int rate, int window, int expectedCode)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.ReceiveBufferSize = 4 << 20;
        socket.ReceiveTimeout = 100; // lets the receiver see the end of the run
        socket.Connect(target);
        var sentAt = new long[65536];
        var latencies = new List<double>(1 << 20);
        var answered = 0;
        var unexpected = 0;
        var sent = 0;
        var stopping = 0;
        using var slots = new SemaphoreSlim(window > 0 ? window : int.MaxValue);

        var receiver = new Thread(() =>
        {
            var buffer = new byte[4096];
            while (Volatile.Read(ref stopping) == 0)
            {
                int n;
                try { n = socket.Receive(buffer); }
                catch (SocketException) { continue; } // the receive timeout
                var now = Stopwatch.GetTimestamp();
                if (n < 12) continue;
                var at = Interlocked.Exchange(ref sentAt[QueryPacket.Id(buffer)], 0);
                if (at == 0) continue;
                latencies.Add(Stopwatch.GetElapsedTime(at, now).TotalMilliseconds);
                answered++;
                if (expectedCode >= 0 && QueryPacket.ReturnCode(buffer) != expectedCode) unexpected++;
                if (window > 0) slots.Release();
            }
        }) { IsBackground = true, Name = "dns-load-receiver" };
        receiver.Start();

        var packet = (byte[])query.Clone();
        ushort next = 0;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < duration)
        {
            if (window > 0)
            {
                // A lost reply must not stall the loop for good: wait for a slot at most 50 ms.
                if (!slots.Wait(50)) continue;
            }
            else
            {
                var dueInMicros = (sent / (double)rate - clock.Elapsed.TotalSeconds) * 1e6;
                if (dueInMicros > 0)
                {
                    Sleep((uint)dueInMicros);
                    continue;
                }
            }
            next++;
            QueryPacket.SetId(packet, next);
            Volatile.Write(ref sentAt[next], Stopwatch.GetTimestamp());
            socket.Send(packet);
            sent++;
        }
        var seconds = clock.Elapsed.TotalSeconds;
        Thread.Sleep(200); // replies still on their way
        Volatile.Write(ref stopping, 1);
        receiver.Join();
        latencies.Sort();
        double Pct(double p) => latencies.Count == 0 ? double.NaN : latencies[Math.Min(latencies.Count - 1, (int)(p * latencies.Count))];
        return new LoadResult(sent, answered, seconds, Pct(0.50), Pct(0.99), unexpected);
    }

    // Thread.Sleep counts whole milliseconds; libc's usleep sleeps the microseconds asked (plus the kernel's timer slack).
    [LibraryImport("libc", EntryPoint = "usleep")]
    private static partial int Sleep(uint microseconds);
}
