using Microsoft.Extensions.Logging;
using Navarch.Cri;

namespace Navarch.Agent.Containerd;

/// <summary>
/// The agent's CRI runtime and, when the agent runs containerd itself, its supervisor. Disposing closes the
/// client and stops a supervised containerd; an attached runtime is left running.
/// </summary>
public sealed class RuntimeConnection : IAsyncDisposable
{
    private readonly CriRuntime _client;

    private RuntimeConnection(CriRuntime client, string endpoint, ContainerdSupervisor? supervisor)
    {
        _client = client;
        Endpoint = endpoint;
        Supervisor = supervisor;
    }

    /// <summary>The runtime to use.</summary>
    public ICriRuntime Runtime => _client;

    /// <summary>The CRI endpoint in use.</summary>
    public string Endpoint { get; }

    /// <summary>The supervisor of the agent's own containerd, or null if an existing runtime was attached to.</summary>
    public ContainerdSupervisor? Supervisor { get; }

    /// <summary>
    /// Attaches to <paramref name="runtimeEndpoint"/> if something there answers CRI Version; otherwise starts
    /// and supervises a containerd per <paramref name="options"/>, listening on that endpoint's socket when one
    /// was given. Throws <see cref="TimeoutException"/> if the supervised containerd does not become ready.
    /// </summary>
    public static async Task<RuntimeConnection> OpenAsync(string? runtimeEndpoint, ContainerdOptions options, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        if (runtimeEndpoint is not null)
        {
            var existing = CriRuntime.Connect(runtimeEndpoint);
            if (await AnswersAsync(runtimeEndpoint, existing, cancellationToken).ConfigureAwait(false))
                return new RuntimeConnection(existing, runtimeEndpoint, null);
            existing.Dispose();
            options = options with { Socket = RuntimeEndpoint.SocketPath(runtimeEndpoint) };
        }
        var supervisor = new ContainerdSupervisor(options, loggers.CreateLogger<ContainerdSupervisor>());
        try
        {
            await supervisor.StartAsync(cancellationToken).ConfigureAwait(false);
            return new RuntimeConnection(CriRuntime.Connect(supervisor.Endpoint), supervisor.Endpoint, supervisor);
        }
        catch
        {
            await supervisor.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Closes the client, then stops the supervised containerd (if any).</summary>
    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        if (Supervisor is not null) await Supervisor.DisposeAsync().ConfigureAwait(false);
    }

    private static async Task<bool> AnswersAsync(string endpoint, CriRuntime runtime, CancellationToken cancellationToken)
    {
        if (!File.Exists(RuntimeEndpoint.SocketPath(endpoint))) return false;
        using var probe = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        probe.CancelAfter(TimeSpan.FromSeconds(2));
        try
        {
            await runtime.VersionAsync(probe.Token).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (e is RuntimeException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return false;
        }
    }
}
