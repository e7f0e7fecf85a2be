namespace Navarch.Scheduler.Framework;

/// <summary>A scheduling plugin: one concern, named as upstream names it (the name shows in logs and tests).</summary>
public interface IPlugin
{
    string Name { get; }
}

/// <summary>Decides whether the pod may go to a node. Never throws for "can't place": returns a status saying why.</summary>
public interface IFilterPlugin : IPlugin
{
    Status Filter(CycleState state, NodeInfo node);
}

/// <summary>Ranks the nodes that passed every filter.</summary>
public interface IScorePlugin : IPlugin
{
    /// <summary>Once per cycle, before scoring: compute per-pod state. Returns false to skip this plugin for the pod.</summary>
    bool PreScore(CycleState state, IReadOnlyList<NodeInfo> feasible) => true;

    /// <summary>The node's raw score.</summary>
    long Score(CycleState state, NodeInfo node);

    /// <summary>Maps raw scores onto 0..<see cref="Scoring.MaxNodeScore"/> (identity when they already are).</summary>
    void Normalize(CycleState state, Span<long> scores) { }
}

/// <summary>Scoring constants shared by plugins.</summary>
public static class Scoring
{
    /// <summary>Upstream's MaxNodeScore: every plugin's normalized score is within 0..100.</summary>
    public const long MaxNodeScore = 100;

    /// <summary>Scales scores so the largest becomes <see cref="MaxNodeScore"/>; with <paramref name="reverse"/>, so fewer is better.</summary>
    public static void NormalizeToMax(Span<long> scores, bool reverse)
    {
        long max = 0;
        foreach (var s in scores) max = Math.Max(max, s);
        for (var i = 0; i < scores.Length; i++)
        {
            if (max == 0) scores[i] = reverse ? MaxNodeScore : 0;
            else
            {
                var scaled = scores[i] * MaxNodeScore / max;
                scores[i] = reverse ? MaxNodeScore - scaled : scaled;
            }
        }
    }
}
