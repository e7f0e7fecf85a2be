namespace Navarch.Scheduler.Framework;

/// <summary>The outcome of one cycle: a node, or why none (<see cref="FitError"/>, or no nodes at all).</summary>
public sealed record ScheduleResult(string? NodeName, FitError? Error, int EvaluatedNodes, int FeasibleNodes)
{
    /// <summary>Upstream's error when the cluster has no nodes.</summary>
    public const string NoNodesMessage = "no nodes available to schedule pods";

    public bool Succeeded => NodeName is not null;

    /// <summary>The FailedScheduling message.</summary>
    public string FailureMessage => Error?.Message ?? NoNodesMessage;
}

/// <summary>
/// One pod's scheduling decision, as kube-scheduler's schedulePod: walk the nodes round-robin from where the
/// last cycle stopped, run the filters until enough feasible nodes are found (<see cref="NodeSampling"/>),
/// score those, and pick the best, breaking ties at random. Pure: reads the snapshot, changes nothing in it.
/// One instance per scheduling loop (it remembers where to start); not thread-safe.
/// </summary>
public sealed class SchedulingCycle(Profile profile, Random? random = null)
{
    private readonly Random _random = random ?? Random.Shared;
    private int _nextStartNodeIndex;

    public ScheduleResult Schedule(PodInfo pod, IClusterSnapshot snapshot)
    {
        var nodes = snapshot.Nodes;
        if (nodes.Count == 0) return new ScheduleResult(null, null, 0, 0);
        var state = new CycleState(pod, snapshot);

        var (feasible, failures, evaluated) = FindFeasible(state, nodes);
        if (feasible.Count == 0) return new ScheduleResult(null, new FitError(nodes.Count, failures), evaluated, 0);
        if (feasible.Count == 1) return new ScheduleResult(feasible[0].Name, null, evaluated, 1);
        var totals = ScoreAll(state, feasible);
        return new ScheduleResult(feasible[PickBest(totals)].Name, null, evaluated, feasible.Count);
    }

    private (List<NodeInfo> Feasible, List<Status> Failures, int Evaluated) FindFeasible(CycleState state, IReadOnlyList<NodeInfo> nodes)
    {
        var wanted = NodeSampling.FeasibleNodesToFind(nodes.Count);
        var feasible = new List<NodeInfo>(Math.Min(wanted, nodes.Count));
        var failures = new List<Status>();
        var start = _nextStartNodeIndex % nodes.Count;
        var evaluated = 0;
        while (evaluated < nodes.Count && feasible.Count < wanted)
        {
            var node = nodes[(start + evaluated) % nodes.Count];
            evaluated++;
            var status = RunFilters(state, node);
            if (status.IsSuccess) feasible.Add(node);
            else failures.Add(status);
        }
        _nextStartNodeIndex = (start + evaluated) % nodes.Count;
        return (feasible, failures, evaluated);
    }

    private Status RunFilters(CycleState state, NodeInfo node)
    {
        foreach (var filter in profile.Filters)
        {
            var status = filter.Filter(state, node);
            if (!status.IsSuccess) return status;
        }
        return Status.Success;
    }

    private long[] ScoreAll(CycleState state, List<NodeInfo> feasible)
    {
        var totals = new long[feasible.Count];
        var scores = new long[feasible.Count];
        foreach (var (plugin, weight) in profile.Scores)
        {
            if (!plugin.PreScore(state, feasible)) continue;
            for (var i = 0; i < feasible.Count; i++) scores[i] = plugin.Score(state, feasible[i]);
            plugin.Normalize(state, scores);
            for (var i = 0; i < feasible.Count; i++) totals[i] += weight * scores[i];
        }
        return totals;
    }

    // The highest total; among equals each is picked with equal chance (reservoir sampling, as upstream's selectHost).
    private int PickBest(long[] totals)
    {
        var best = 0;
        var ties = 1;
        for (var i = 1; i < totals.Length; i++)
        {
            if (totals[i] > totals[best])
            {
                best = i;
                ties = 1;
            }
            else if (totals[i] == totals[best] && _random.Next(++ties) == 0)
            {
                best = i;
            }
        }
        return best;
    }
}
