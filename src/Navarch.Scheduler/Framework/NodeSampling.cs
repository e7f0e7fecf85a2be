namespace Navarch.Scheduler.Framework;

/// <summary>
/// Upstream's percentageOfNodesToScore, adaptive: in a big cluster, stop filtering once enough feasible nodes
/// were found (50% of the nodes at 100 nodes, falling by 1 point per 125 nodes down to 5%, and never fewer
/// than 100 nodes), so a cycle costs about the same at 5,000 nodes as at 1,000.
/// </summary>
public static class NodeSampling
{
    public const int MinFeasibleNodesToFind = 100;
    public const int MinFeasiblePercentage = 5;
    private const int BasePercentage = 50;

    /// <summary>How many feasible nodes are enough among <paramref name="allNodes"/>.</summary>
    public static int FeasibleNodesToFind(int allNodes)
    {
        if (allNodes < MinFeasibleNodesToFind) return allNodes;
        var percentage = Math.Max(MinFeasiblePercentage, BasePercentage - allNodes / 125);
        return Math.Max(MinFeasibleNodesToFind, (int)((long)allNodes * percentage / 100));
    }
}
