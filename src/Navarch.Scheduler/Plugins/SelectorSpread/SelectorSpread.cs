using Navarch.Api.Selectors;
using Navarch.Scheduler.Framework;

namespace Navarch.Scheduler.Plugins.SelectorSpread;

/// <summary>
/// Score: spread the pods of one service or controller across nodes (upstream's SelectorSpread, now the default
/// topology spread by hostname): the fewer pods on the node that every selector selecting this pod also
/// selects (same namespace, not being deleted), the better. Skipped when nothing selects the pod.
/// </summary>
public sealed class SelectorSpread : IScorePlugin
{
    private const string StateKey = "SelectorSpread";

    public string Name => "SelectorSpread";

    public bool PreScore(CycleState state, IReadOnlyList<NodeInfo> feasible)
    {
        var selectors = state.Snapshot.SpreadSelectors(state.Pod.Pod);
        if (selectors.Count == 0) return false;
        state.Write(StateKey, new SiblingMatcher(selectors));
        return true;
    }

    public long Score(CycleState state, NodeInfo node)
    {
        var siblings = state.Read<SiblingMatcher>(StateKey)!;
        var groups = node.LabelGroupsIn(state.Pod.Namespace);
        if (groups is null) return 0;
        long count = 0;
        foreach (var group in groups)
            if (!group.Terminating && siblings.Matches(group)) count += group.Count;
        return count;
    }

    public void Normalize(CycleState state, Span<long> scores) => Scoring.NormalizeToMax(scores, reverse: true);

    /// <summary>
    /// The AND of the selectors. Services' and controllers' selectors are label sets, so they flatten into
    /// (key, value) pairs checked by dictionary lookups, and each label set is judged once per cycle.
    /// </summary>
    private sealed class SiblingMatcher
    {
        private readonly IReadOnlyList<LabelSelector> _selectors;
        private readonly (string Key, string Value)[]? _pairs;
        // Verdicts per label set: a cycle meets the same few label sets on hundreds of nodes.
        private readonly Dictionary<string, bool> _verdicts = new(StringComparer.Ordinal);

        public SiblingMatcher(IReadOnlyList<LabelSelector> selectors)
        {
            _selectors = selectors;
            var requirements = selectors.SelectMany(s => s.Requirements).ToList();
            if (selectors.All(s => !s.IsNothing) && requirements.All(r => r.Operator is SelectorOperator.Equals or SelectorOperator.DoubleEquals && r.Values.Count == 1))
                _pairs = requirements.Select(r => (r.Key, r.Values[0])).Distinct().ToArray();
        }

        public bool Matches(LabelGroup group)
        {
            if (!_verdicts.TryGetValue(group.Key, out var verdict)) _verdicts[group.Key] = verdict = Matches(group.Labels);
            return verdict;
        }

        private bool Matches(IDictionary<string, string>? labels)
        {
            if (_pairs is null)
            {
                foreach (var s in _selectors)
                    if (!s.Matches(labels)) return false;
                return true;
            }
            if (labels is null) return _pairs.Length == 0;
            foreach (var (key, value) in _pairs)
                if (!labels.TryGetValue(key, out var have) || have != value) return false;
            return true;
        }
    }
}
