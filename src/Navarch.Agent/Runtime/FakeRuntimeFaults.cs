using Navarch.Cri;

namespace Navarch.Agent.Runtime;

/// <summary>Failures a <see cref="FakeRuntime"/> was told to inject, per CRI operation. Thread-safe.</summary>
public sealed class FakeRuntimeFaults
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Queue<RuntimeException>> _next = [];
    private readonly Dictionary<string, RuntimeException> _always = [];

    /// <summary>Makes the next call of <paramref name="operation"/> (a <see cref="RuntimeOperation"/> name) fail once with <paramref name="code"/>; calls queue up.</summary>
    public void FailNext(string operation, RuntimeErrorCode code = RuntimeErrorCode.Internal, string message = "injected failure")
    {
        lock (_lock)
        {
            if (!_next.TryGetValue(operation, out var queue)) _next[operation] = queue = new Queue<RuntimeException>();
            queue.Enqueue(new RuntimeException(code, operation, message));
        }
    }

    /// <summary>Makes every call of <paramref name="operation"/> fail with <paramref name="code"/> until <see cref="Clear"/>.</summary>
    public void FailAlways(string operation, RuntimeErrorCode code = RuntimeErrorCode.Internal, string message = "injected failure")
    {
        lock (_lock) _always[operation] = new RuntimeException(code, operation, message);
    }

    /// <summary>Forgets every injected failure.</summary>
    public void Clear()
    {
        lock (_lock)
        {
            _next.Clear();
            _always.Clear();
        }
    }

    /// <summary>Throws the failure due for <paramref name="operation"/>, if any.</summary>
    internal void ThrowIfDue(string operation)
    {
        lock (_lock)
        {
            if (_next.TryGetValue(operation, out var queue) && queue.TryDequeue(out var once)) throw once;
            if (_always.TryGetValue(operation, out var always)) throw always;
        }
    }
}
