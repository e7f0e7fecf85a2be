namespace Navarch.Scheduler.Framework;

/// <summary>
/// What one scheduling cycle knows: the pod and the snapshot, plus whatever plugins compute once per cycle
/// (in their pre-score step) and read per node. Lives for one cycle, on one thread.
/// </summary>
public sealed class CycleState(PodInfo pod, IClusterSnapshot snapshot)
{
    private readonly Dictionary<string, object> _data = [];

    public PodInfo Pod { get; } = pod;
    public IClusterSnapshot Snapshot { get; } = snapshot;

    public void Write(string key, object value) => _data[key] = value;

    public T? Read<T>(string key) where T : class => _data.GetValueOrDefault(key) as T;
}
