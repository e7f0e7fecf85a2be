using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Navarch.Client.Events;
using Navarch.Client.Informers;
using Navarch.Scheduler.Cache;
using Navarch.Scheduler.Framework;
using Navarch.Scheduler.Queue;

namespace Navarch.Scheduler;

/// <summary>
/// The scheduling loop: take a pending pod, decide its node over the cache (one cycle under the cache lock),
/// assume it there, and bind it through the API in the background (up to <see cref="SchedulerOptions.BindParallelism"/>
/// at once) while the next pod is scheduled. A failed binding forgets the assumption and retries the pod.
/// A pod no node fits gets a FailedScheduling event and PodScheduled=False, and waits in the queue.
/// </summary>
internal sealed partial class Scheduler
{
    private static readonly TimeSpan FlushPeriod = TimeSpan.FromSeconds(1);

    private readonly IKubernetes _client;
    private readonly Informer<V1Pod> _pods;
    private readonly SchedulerCache _cache;
    private readonly SchedulingQueue _queue;
    private readonly ClusterEvents _events;
    private readonly ClusterView _view;
    private readonly SchedulingCycle _cycle;
    private readonly EventRecorder _recorder;
    private readonly BackgroundWriter _writer;
    private readonly SemaphoreSlim _bindSlots;
    private readonly SchedulerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly Informer<V1Node> _nodes;
    private readonly Informer<V1Service> _services;
    private readonly Informer<V1ReplicationController> _controllers;

    public Scheduler(IKubernetes client, SharedInformers informers, SchedulerOptions options, TimeProvider time, ILoggerFactory loggers)
    {
        _client = client;
        _options = options;
        _time = time;
        _log = loggers.CreateLogger("Navarch.Scheduler");
        _pods = informers.Pods;
        _nodes = informers.Nodes;
        _services = informers.Services;
        _controllers = informers.ReplicationControllers;
        _cache = new SchedulerCache();
        _queue = new SchedulingQueue(time);
        _events = new ClusterEvents(_cache, _queue, options.SchedulerName);
        _events.Subscribe(_pods, _nodes);
        _view = new ClusterView(_cache, _services, _controllers);
        _cycle = new SchedulingCycle(Plugins.DefaultProfile.Create());
        _recorder = new EventRecorder(client, options.SchedulerName, time: time, log: _log);
        _writer = new BackgroundWriter(options.BackgroundWriteCapacity, _log);
        _bindSlots = new SemaphoreSlim(options.BindParallelism);
    }

    internal SchedulerCache Cache => _cache;
    internal SchedulingQueue Queue => _queue;

    /// <summary>Waits for the informers' first lists, then schedules until <paramref name="ct"/> ends.</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        await Task.WhenAll(_pods.WaitForSyncAsync(ct), _nodes.WaitForSyncAsync(ct), _services.WaitForSyncAsync(ct), _controllers.WaitForSyncAsync(ct));
        var writes = _writer.RunAsync(workers: 2, ct);
        var flush = FlushLoopAsync(ct);
        try
        {
            while (true)
            {
                var popped = await _queue.PopAsync(ct);
                await ScheduleOneAsync(popped, ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        await Task.WhenAll(writes, flush);
    }

    private async Task ScheduleOneAsync(QueuedPod popped, CancellationToken ct)
    {
        var key = ObjectKey.Of(popped.Pod);
        // The queue may hold an older version: decide on the informer's latest.
        var pod = _pods.Get(key);
        if (pod is null || !_events.IsPendingOurs(pod))
        {
            _queue.Delete(key);
            return;
        }
        var info = new PodInfo(pod);
        ScheduleResult result;
        lock (_cache.Sync)
        {
            result = _cycle.Schedule(info, _view);
            if (result.Succeeded) _cache.Assume(info, result.NodeName!);
        }
        if (!result.Succeeded)
        {
            _queue.Unschedulable(key, popped);
            ReportUnschedulable(pod, result);
            return;
        }
        _queue.Done(key);
        await _bindSlots.WaitAsync(ct);
        _ = BindAsync(info, result.NodeName!, ct);
    }

    private async Task BindAsync(PodInfo info, string node, CancellationToken ct)
    {
        var pod = info.Pod;
        var (ns, name) = (pod.Metadata.NamespaceProperty, pod.Metadata.Name);
        try
        {
            var binding = new V1Binding
            {
                Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns, Uid = pod.Metadata.Uid },
                Target = new V1ObjectReference { ApiVersion = "v1", Kind = "Node", Name = node },
            };
            await _client.CoreV1.CreateNamespacedPodBindingAsync(binding, name, ns, cancellationToken: ct);
            _writer.Post(c => _recorder.NormalAsync(pod, "Scheduled", $"Successfully assigned {ns}/{name} to {node}", c));
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            _cache.Forget(info.Key);
            LogBindFailed(ns, name, node, e.Message);
            // Retried after back-off; a 409 means already bound or being deleted, which the watch will show
            // (the queue then drops the pod), so only other failures are worth an event.
            _queue.Retry(pod);
            if (e is not HttpOperationException { Response.StatusCode: HttpStatusCode.Conflict })
                _writer.Post(c => _recorder.WarningAsync(pod, "FailedScheduling", $"Binding rejected: {e.Message}", c));
        }
        finally
        {
            _bindSlots.Release();
        }
    }

    private void ReportUnschedulable(V1Pod pod, ScheduleResult result)
    {
        var message = result.FailureMessage;
        var reason = result.Error is null ? PodConditions.SchedulerError : PodConditions.Unschedulable;
        LogUnschedulable(pod.Metadata.NamespaceProperty, pod.Metadata.Name, message);
        _writer.Post(c => _recorder.WarningAsync(pod, "FailedScheduling", message, c));
        var patch = PodConditions.UnschedulablePatch(pod, reason, message, _time.GetUtcNow().UtcDateTime);
        if (patch is not null)
            _writer.Post(c => _client.CoreV1.PatchNamespacedPodStatusAsync(patch, pod.Metadata.Name, pod.Metadata.NamespaceProperty, cancellationToken: c));
    }

    private async Task FlushLoopAsync(CancellationToken ct)
    {
        try
        {
            while (true)
            {
                await Task.Delay(FlushPeriod, _time, ct);
                _queue.Flush();
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "pod {Namespace}/{Name} is unschedulable: {Message}")]
    private partial void LogUnschedulable(string? @namespace, string name, string message);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "binding pod {Namespace}/{Name} to {Node} failed: {Error}")]
    private partial void LogBindFailed(string? @namespace, string name, string node, string error);
}
