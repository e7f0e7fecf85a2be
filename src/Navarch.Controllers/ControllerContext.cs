using k8s;
using Microsoft.Extensions.Logging;
using Navarch.Client.Events;
using Navarch.Client.Informers;

namespace Navarch.Controllers;

/// <summary>What every controller gets: the API client (its own account's), the shared informers, options, time and logging.</summary>
public sealed class ControllerContext(IKubernetes client, SharedInformers informers, ControllerManagerOptions options, TimeProvider time, ILoggerFactory loggers,
    ControllerClients? clients = null)
{
    public IKubernetes Client { get; } = client;
    public SharedInformers Informers { get; } = informers;
    public ControllerManagerOptions Options { get; } = options;
    public TimeProvider Time { get; } = time;
    public ILoggerFactory Loggers { get; } = loggers;

    /// <summary>The client of another ServiceAccount, for a part of a loop that upstream runs as a controller of its own.</summary>
    public IKubernetes ClientFor(string serviceAccount) => clients?.For(serviceAccount) ?? Client;

    /// <summary>An event recorder whose events name <paramref name="component"/> as their source.</summary>
    public EventRecorder Recorder(string component) => new(Client, component, null, Time, Loggers.CreateLogger<EventRecorder>());
}

/// <summary>One loop of the controller manager. Constructed before the informers start (ask for them in the constructor).</summary>
public interface IControllerLoop
{
    string Name { get; }
    Task RunAsync(CancellationToken ct);
}
