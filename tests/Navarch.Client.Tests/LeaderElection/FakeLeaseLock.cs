using Navarch.Client.LeaderElection;

namespace Navarch.Client.Tests.LeaderElection;

/// <summary>A lease in memory with the API server's optimistic concurrency; <see cref="Unreachable"/> makes every call fail,
/// as for a candidate cut off from the API server (give each candidate its own view with <see cref="ViewFor"/>).</summary>
internal sealed class FakeLeaseLock : ILeaseLock
{
    private readonly object _lock = new();
    private LeaseRecord? _record;
    private int _version;

    public string Description => "kube-system/test";

    public LeaseRecord? Current { get { lock (_lock) return _record; } }

    public Task<LeaseRecord?> GetAsync(CancellationToken ct)
    {
        lock (_lock) return Task.FromResult(_record);
    }

    public Task<bool> CreateAsync(LeaseRecord record, CancellationToken ct)
    {
        lock (_lock)
        {
            if (_record is not null) return Task.FromResult(false);
            _record = record with { ResourceVersion = (++_version).ToString() };
            return Task.FromResult(true);
        }
    }

    public Task<bool> UpdateAsync(LeaseRecord record, CancellationToken ct)
    {
        lock (_lock)
        {
            if (_record is null || record.ResourceVersion != _record.ResourceVersion) return Task.FromResult(false);
            _record = record with { ResourceVersion = (++_version).ToString() };
            return Task.FromResult(true);
        }
    }

    public View ViewFor() => new(this);

    internal sealed class View(FakeLeaseLock inner) : ILeaseLock
    {
        public bool Unreachable { get; set; }

        public string Description => inner.Description;

        public Task<LeaseRecord?> GetAsync(CancellationToken ct) => Unreachable ? Fail<LeaseRecord?>() : inner.GetAsync(ct);

        public Task<bool> CreateAsync(LeaseRecord record, CancellationToken ct) => Unreachable ? Fail<bool>() : inner.CreateAsync(record, ct);

        public Task<bool> UpdateAsync(LeaseRecord record, CancellationToken ct) => Unreachable ? Fail<bool>() : inner.UpdateAsync(record, ct);

        private static Task<T> Fail<T>() => Task.FromException<T>(new HttpRequestException("connection refused"));
    }
}
