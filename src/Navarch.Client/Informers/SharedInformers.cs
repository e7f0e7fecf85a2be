using System.Collections.Concurrent;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Navarch.Client.Informers;

/// <summary>
/// One informer per resource type, shared by every loop of a process, so each type is listed and watched
/// once. Ask for the informers you need, add handlers, then <see cref="StartAsync"/>.
/// </summary>
public sealed partial class SharedInformers(IKubernetes client, TimeSpan? resync = null, TimeProvider? time = null, ILoggerFactory? loggers = null)
{
    private readonly ConcurrentDictionary<Type, object> _informers = new();
    private readonly List<Func<CancellationToken, Task>> _runs = [];
    private readonly TimeSpan _resync = resync ?? TimeSpan.FromMinutes(5);
    private readonly ILoggerFactory _loggers = loggers ?? NullLoggerFactory.Instance;
    private bool _started;

    public IKubernetes Client => client;

    public Informer<V1Pod> Pods => For<V1Pod>();
    public Informer<V1Node> Nodes => For<V1Node>();
    public Informer<V1Service> Services => For<V1Service>();
    public Informer<V1Endpoints> Endpoints => For<V1Endpoints>();
    public Informer<V1ReplicationController> ReplicationControllers => For<V1ReplicationController>();
    public Informer<V1Namespace> Namespaces => For<V1Namespace>();
    public Informer<V1EndpointSlice> EndpointSlices => For<V1EndpointSlice>();
    public Informer<V1Lease> Leases => For<V1Lease>();

    /// <summary>The shared informer of any served resource's model (e.g. <c>V1Deployment</c>); ask before <see cref="StartAsync"/>.</summary>
    public Informer<T> For<T>() where T : class, IKubernetesObject<V1ObjectMeta> => Get(() => ListWatches.For<T>(client));

    /// <summary>Runs every informer asked for so far until <paramref name="ct"/> ends; returns at once.</summary>
    public Task StartAsync(CancellationToken ct)
    {
        List<Func<CancellationToken, Task>> runs;
        lock (_runs)
        {
            if (_started) throw new InvalidOperationException("shared informers already started");
            _started = true;
            runs = [.. _runs];
        }
        foreach (var run in runs) _ = Task.Run(() => run(ct), CancellationToken.None);
        return Task.CompletedTask;
    }

    private Informer<T> Get<T>(Func<ListWatch<T>> listWatch) where T : class, IKubernetesObject<V1ObjectMeta> =>
        (Informer<T>)_informers.GetOrAdd(typeof(T), _ =>
        {
            var informer = new Informer<T>(listWatch(), _resync, time, _loggers.CreateLogger($"Navarch.Informer.{typeof(T).Name}"));
            lock (_runs)
            {
                if (_started) throw new InvalidOperationException($"informer for {typeof(T).Name} asked for after start");
                _runs.Add(informer.RunAsync);
            }
            return informer;
        });
}
