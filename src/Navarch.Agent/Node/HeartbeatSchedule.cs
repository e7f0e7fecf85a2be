namespace Navarch.Agent.Node;

/// <summary>
/// When each of many periodic beats is due next: a priority queue by due time, with upstream's 4 % jitter
/// on every period so thousands of nodes in one process spread out instead of beating in lock-step. Pure
/// and not thread-safe: <see cref="HeartbeatWheel"/> owns it.
/// </summary>
public sealed class HeartbeatSchedule(Random? random = null)
{
    /// <summary>Upstream's jitter factor of the lease renewal (wait.JitterUntil(…, 0.04, …)).</summary>
    public const double JitterFactor = 0.04;

    private readonly Random _random = random ?? Random.Shared;
    private readonly PriorityQueue<Beat, DateTimeOffset> _queue = new();

    /// <summary>How many beats are scheduled.</summary>
    public int Count => _queue.Count;

    /// <summary>When the earliest beat is due, or null if none is scheduled.</summary>
    public DateTimeOffset? NextDue => _queue.TryPeek(out _, out var due) ? due : null;

    /// <summary>Schedules <paramref name="beat"/> first at <paramref name="firstDue"/>.</summary>
    public void Add(Beat beat, DateTimeOffset firstDue) => _queue.Enqueue(beat, firstDue);

    /// <summary>Removes and returns every live beat due at <paramref name="now"/>; cancelled ones are dropped.</summary>
    public List<Beat> TakeDue(DateTimeOffset now)
    {
        var due = new List<Beat>();
        while (_queue.TryPeek(out var beat, out var at) && at <= now)
        {
            _queue.Dequeue();
            if (!beat.Cancelled) due.Add(beat);
        }
        return due;
    }

    /// <summary>Schedules <paramref name="beat"/> again one jittered period after <paramref name="now"/>; returns when.</summary>
    public DateTimeOffset Reschedule(Beat beat, DateTimeOffset now)
    {
        var next = now + Jittered(beat.Period);
        if (!beat.Cancelled) _queue.Enqueue(beat, next);
        return next;
    }

    /// <summary>A period stretched by up to <see cref="JitterFactor"/>.</summary>
    public TimeSpan Jittered(TimeSpan period) => period + TimeSpan.FromTicks((long)(period.Ticks * JitterFactor * _random.NextDouble()));

    /// <summary>One periodic beat: a name for logs, its period and what it does.</summary>
    public sealed class Beat(string name, TimeSpan period, Func<CancellationToken, Task> run) : IDisposable
    {
        /// <summary>Name for logs (e.g. <c>lease node-1</c>).</summary>
        public string Name { get; } = name;

        /// <summary>Time between the end of one run and the start of the next (before jitter).</summary>
        public TimeSpan Period { get; } = period;

        /// <summary>What a beat does.</summary>
        public Func<CancellationToken, Task> Run { get; } = run;

        /// <summary>Whether <see cref="Dispose"/> was called: the beat runs no more.</summary>
        public bool Cancelled { get; private set; }

        /// <summary>Stops the beat.</summary>
        public void Dispose() => Cancelled = true;
    }
}
