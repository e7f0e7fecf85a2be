using System.Collections.Concurrent;

namespace Navarch.Client.Events;

/// <summary>
/// Upstream's <c>EventSourceObjectSpamFilter</c> (client-go tools/record): each source and involved object gets a token
/// bucket of 25 events that refills one event every 5 minutes; an event without a token is dropped. A controller that
/// creates 5,000 pods of one ReplicaSet thus writes 25 events about it, not 5,000 (each was an API write, about a fifth
/// of the API work of a created pod in the workloads benchmark).
/// </summary>
public sealed class EventSpamFilter(TimeProvider time)
{
    public const int Burst = 25;
    public static readonly TimeSpan RefillEvery = TimeSpan.FromMinutes(5);
    // Upstream's cache of buckets holds 4096 keys; past that the buckets start over.
    private const int MaxRemembered = 4096;

    private readonly ConcurrentDictionary<string, Bucket> _buckets = new();

    /// <summary>Takes a token for <paramref name="sourceAndObject"/>; false when its bucket is empty (drop the event).</summary>
    public bool Allow(string sourceAndObject)
    {
        var now = time.GetUtcNow();
        if (_buckets.Count >= MaxRemembered) _buckets.Clear();
        var bucket = _buckets.GetOrAdd(sourceAndObject, _ => new Bucket(Burst, now));
        lock (bucket)
        {
            var refilled = Math.Min(Burst, bucket.Tokens + (now - bucket.Last) / RefillEvery);
            bucket.Last = now;
            if (refilled < 1)
            {
                bucket.Tokens = refilled;
                return false;
            }
            bucket.Tokens = refilled - 1;
            return true;
        }
    }

    private sealed class Bucket(double tokens, DateTimeOffset last)
    {
        public double Tokens = tokens;
        public DateTimeOffset Last = last;
    }
}
