using System.Collections.Concurrent;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Navarch.Client.Events;

/// <summary>
/// Writes core/v1 Events about objects, as upstream's recorder does: a repeat of the same event (object,
/// type, reason, message) bumps <c>count</c> and <c>lastTimestamp</c> of the first instead of adding another, and
/// an object that gets too many events from this component gets no more for a while (<see cref="EventSpamFilter"/>).
/// Failures are logged, never thrown: events are for people, not for control.
/// </summary>
public sealed partial class EventRecorder(IKubernetes client, string component, string? host = null, TimeProvider? time = null, ILogger? log = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly ILogger _log = log ?? NullLogger.Instance;
    private readonly EventSpamFilter _spam = new(time ?? TimeProvider.System);
    // Upstream's aggregation cache holds 4096 entries; past that a repeat simply starts a new event.
    private const int MaxRemembered = 4096;

    // The event already written for each (object, type, reason, message), to aggregate repeats.
    private readonly ConcurrentDictionary<string, (string Namespace, string Name, int Count)> _written = new();

    public Task NormalAsync(IKubernetesObject<V1ObjectMeta> obj, string reason, string message, CancellationToken ct = default) =>
        RecordAsync(obj, "Normal", reason, message, ct);

    public Task WarningAsync(IKubernetesObject<V1ObjectMeta> obj, string reason, string message, CancellationToken ct = default) =>
        RecordAsync(obj, "Warning", reason, message, ct);

    public async Task RecordAsync(IKubernetesObject<V1ObjectMeta> obj, string type, string reason, string message, CancellationToken ct = default)
    {
        var ns = string.IsNullOrEmpty(obj.Metadata.NamespaceProperty) ? "default" : obj.Metadata.NamespaceProperty;
        var key = $"{obj.Metadata.Uid}|{type}|{reason}|{message}";
        var now = _time.GetUtcNow().UtcDateTime;
        if (!_spam.Allow($"{component}|{host}|{obj.Kind}|{ns}|{obj.Metadata.Name}|{obj.Metadata.Uid}|{obj.ApiVersion}")) return;
        try
        {
            if (_written.TryGetValue(key, out var prior))
            {
                var count = prior.Count + 1;
                var patch = new V1Patch($"{{\"count\":{count},\"lastTimestamp\":\"{now:yyyy-MM-ddTHH:mm:ssZ}\"}}", V1Patch.PatchType.MergePatch);
                await client.CoreV1.PatchNamespacedEventAsync(patch, prior.Name, prior.Namespace, cancellationToken: ct);
                _written[key] = (prior.Namespace, prior.Name, count);
                return;
            }
            var ev = new Corev1Event
            {
                Metadata = new V1ObjectMeta { Name = $"{obj.Metadata.Name}.{now.Ticks:x}", NamespaceProperty = ns },
                InvolvedObject = new V1ObjectReference
                {
                    ApiVersion = obj.ApiVersion,
                    Kind = obj.Kind,
                    Name = obj.Metadata.Name,
                    NamespaceProperty = obj.Metadata.NamespaceProperty,
                    Uid = obj.Metadata.Uid,
                    ResourceVersion = obj.Metadata.ResourceVersion,
                },
                Reason = reason,
                Message = message,
                Type = type,
                Count = 1,
                FirstTimestamp = now,
                LastTimestamp = now,
                Source = new V1EventSource { Component = component, Host = host },
                ReportingComponent = component,
                ReportingInstance = host ?? component,
            };
            var created = await client.CoreV1.CreateNamespacedEventAsync(ev, ns, cancellationToken: ct);
            if (_written.Count >= MaxRemembered) _written.Clear();
            _written[key] = (ns, created.Metadata.Name, 1);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _written.TryRemove(key, out _);
            LogFailed(reason, obj.Metadata.Name, e.Message);
        }
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Debug, Message = "could not record event {Reason} for {Name}: {Error}")]
    private partial void LogFailed(string reason, string name, string error);
}
