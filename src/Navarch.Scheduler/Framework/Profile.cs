namespace Navarch.Scheduler.Framework;

/// <summary>A weighted score plugin.</summary>
public sealed record WeightedScore(IScorePlugin Plugin, int Weight);

/// <summary>Which plugins a cycle runs, in order (filters stop at the first that rejects a node).</summary>
public sealed record Profile(IReadOnlyList<IFilterPlugin> Filters, IReadOnlyList<WeightedScore> Scores);
