using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Navarch.ApiServer.Tests;

/// <summary>
/// A logger provider that keeps what the server logs at Error and above: a server error can be logged after the answer
/// has started (a watch), where the client sees no 500, so tests look here too.
/// </summary>
public sealed class RecordedErrors : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _errors = new();

    public int Count => _errors.Count;

    public IReadOnlyList<string> Since(int index) => _errors.Skip(index).ToList();

    public ILogger CreateLogger(string categoryName) => new Recorder(categoryName, _errors);

    public void Dispose()
    {
    }

    private sealed class Recorder(string category, ConcurrentQueue<string> errors) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel)) errors.Enqueue($"{category}: {formatter(state, exception)}{(exception is null ? "" : "\n" + exception)}");
        }
    }
}
