using System.Diagnostics;

namespace Navarch.Bench.Api;

/// <summary>
/// Brings a fresh server to steady state before anything is measured: rounds of creates, gets, updates and
/// a list in a namespace of their own, at least <see cref="MinRounds"/> and then until the runtime's
/// background JIT thread (tiered compilation with PGO) is nearly idle, or a time cap.
/// </summary>
internal static class WarmUp
{
    private const int MinRounds = 3;
    private const int RoundSize = 1_000;
    private const double QuietJitCores = 0.05;
    private static readonly TimeSpan DefaultCap = TimeSpan.FromSeconds(30);

    /// <summary>Returns the first round's creates (the cold server) and a line saying how the warm-up ended. <paramref name="cap"/>
    /// (30 s by default) bounds it: a server with more code on its path (the etcd store's gRPC client) needs longer to get there.</summary>
    public static async Task<(LoadResult ColdCreates, string Note)> RunAsync(ServerProcess server, PodClient pods, string ns, int clients, CancellationToken ct,
        TimeSpan? cap = null)
    {
        var limit = cap ?? DefaultCap;
        var created = 0;
        LoadResult? cold = null;
        var warming = Stopwatch.StartNew();
        double jitCores;
        var rounds = 0;
        do
        {
            var (jit, round) = (server.JitThreads(), Stopwatch.StartNew());
            var creates = await LoadRun.RunAsync("warm-up: create pod, cold server", clients, limit,
                (_, _) => pods.CreatePodAsync(ns, PodClient.PodName(Interlocked.Increment(ref created) - 1), ct), RoundSize);
            cold ??= creates;
            await LoadRun.RunAsync("warm-up: get", clients, limit, (w, i) => pods.GetPodAsync(ns, PodClient.PodName((w * 13 + i) % created), ct), RoundSize);
            await LoadRun.RunAsync("warm-up: update", clients, limit, (w, i) => pods.PatchPodLabelAsync(ns, PodClient.PodName((w * 13 + i) % created), $"{i}", ct), RoundSize);
            await pods.ListPodsAsync(ns, ct);
            jitCores = server.JitCpuSince(jit) / round.Elapsed;
            rounds++;
        } while ((rounds < MinRounds || jitCores > QuietJitCores) && warming.Elapsed < limit);
        return (cold, $"warm-up: {rounds} rounds of {RoundSize} creates, gets and updates in {warming.Elapsed.TotalSeconds:0.0} s; the background JIT " +
                      $"used {jitCores:0.00} cores in the last (at least {MinRounds} rounds, then until below {QuietJitCores:0.00} or {limit.TotalSeconds:0} s)");
    }
}
