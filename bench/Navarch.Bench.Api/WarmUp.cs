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
    private static readonly TimeSpan Cap = TimeSpan.FromSeconds(30);

    /// <summary>Returns the first round's creates (the cold server) and a line saying how the warm-up ended.</summary>
    public static async Task<(LoadResult ColdCreates, string Note)> RunAsync(ServerProcess server, PodClient pods, string ns, int clients, CancellationToken ct)
    {
        var created = 0;
        LoadResult? cold = null;
        var warming = Stopwatch.StartNew();
        double jitCores;
        var rounds = 0;
        do
        {
            var (jit, round) = (server.JitThreads(), Stopwatch.StartNew());
            var creates = await LoadRun.RunAsync("warm-up: create pod, cold server", clients, Cap,
                (_, _) => pods.CreatePodAsync(ns, PodClient.PodName(Interlocked.Increment(ref created) - 1), ct), RoundSize);
            cold ??= creates;
            await LoadRun.RunAsync("warm-up: get", clients, Cap, (w, i) => pods.GetPodAsync(ns, PodClient.PodName((w * 13 + i) % created), ct), RoundSize);
            await LoadRun.RunAsync("warm-up: update", clients, Cap, (w, i) => pods.PatchPodLabelAsync(ns, PodClient.PodName((w * 13 + i) % created), $"{i}", ct), RoundSize);
            await pods.ListPodsAsync(ns, ct);
            jitCores = server.JitCpuSince(jit) / round.Elapsed;
            rounds++;
        } while ((rounds < MinRounds || jitCores > QuietJitCores) && warming.Elapsed < Cap);
        return (cold, $"warm-up: {rounds} rounds of {RoundSize} creates, gets and updates in {warming.Elapsed.TotalSeconds:0.0} s; the background JIT " +
                      $"used {jitCores:0.00} cores in the last (at least {MinRounds} rounds, then until below {QuietJitCores:0.00} or {Cap.TotalSeconds:0} s)");
    }
}
