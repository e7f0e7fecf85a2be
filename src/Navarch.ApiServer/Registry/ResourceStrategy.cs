using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Navarch.Api.Resources;

namespace Navarch.ApiServer.Registry;

/// <summary>
/// How objects of a kind are written: which part a subresource may change, and the side effects (allocations)
/// of create, update and delete. Kind behaviour without I/O (generation, defaults, validation) comes from the
/// kind's definition (<see cref="Api.Kinds.KindDefinition"/>); a subclass exists only for kinds with write hooks.
/// </summary>
public class ResourceStrategy(ResourceType type)
{
    public ResourceType Type { get; } = type;

    /// <summary>True when <c>status</c> is written only through the status subresource.</summary>
    public bool HasStatusSubresource => Type.HasSubresource("status");

    /// <summary>True when spec changes bump <c>metadata.generation</c>.</summary>
    public bool TracksGeneration => Type.Definition.TracksGeneration;

    /// <summary>Whether an update without a resourceVersion is allowed (upstream's AllowUnconditionalUpdate).</summary>
    public virtual bool AllowUnconditionalUpdate => true;

    /// <summary>Whether PUT of a missing object creates it (upstream's AllowCreateOnUpdate).</summary>
    public virtual bool AllowCreateOnUpdate => false;

    /// <summary>
    /// True when the create, update or delete hooks do anything; the registry then hands them copies of the old
    /// version that they may keep or change, instead of the watch cache's shared object.
    /// </summary>
    public virtual bool HasWriteHooks => false;

    /// <summary>Resets what a client may not set on create (status for kinds with a status subresource), on the request's JSON.</summary>
    public virtual void PrepareForCreate(JsonObject json)
    {
        if (HasStatusSubresource && !Type.Definition.KeepsStatusOnCreate) json.Remove("status");
    }

    /// <summary>
    /// Merges <paramref name="json"/> (the client's new version) with <paramref name="old"/> according to
    /// <paramref name="subresource"/>: the main resource keeps the old status, the status subresource keeps
    /// everything but the status.
    /// </summary>
    public virtual JsonObject PrepareForUpdate(JsonObject json, JsonObject old, string? subresource)
    {
        // A namespace's finalize subresource changes spec.finalizers and nothing else.
        if (subresource == "finalize")
        {
            // The body is decoded whole first, as upstream decodes it, so a malformed one is the client's error (400).
            RequestBody.DecodeChecked(Type, json);
            var finalized = (JsonObject)old.DeepClone();
            if (finalized["spec"] is not JsonObject spec) finalized["spec"] = spec = new JsonObject();
            spec["finalizers"] = json["spec"]?["finalizers"]?.DeepClone();
            if (json["metadata"]?["resourceVersion"] is { } version)
                ((JsonObject)finalized["metadata"]!)["resourceVersion"] = version.DeepClone();
            return finalized;
        }
        // Binding sets spec.nodeName and the PodScheduled condition together.
        if (!HasStatusSubresource || subresource == "binding") return json;
        if (subresource == "status")
        {
            var merged = (JsonObject)old.DeepClone();
            merged["status"] = json["status"]?.DeepClone();
            // Status writers may still change labels and annotations? Upstream keeps the old metadata here.
            if (json["metadata"] is JsonObject meta && meta["resourceVersion"] is { } rv)
                ((JsonObject)merged["metadata"]!)["resourceVersion"] = rv.DeepClone();
            return merged;
        }
        json["status"] = old["status"]?.DeepClone();
        return json;
    }

    /// <summary>Side effects before a create is written; returns an undo for when the write fails.</summary>
    public virtual Task<Func<CancellationToken, Task>?> BeforeCreateAsync(IKubernetesObject<V1ObjectMeta> obj, CancellationToken ct) =>
        Task.FromResult<Func<CancellationToken, Task>?>(null);

    /// <summary>Side effects before an update is written; returns an undo for when the write fails.</summary>
    public virtual Task<Func<CancellationToken, Task>?> BeforeUpdateAsync(IKubernetesObject<V1ObjectMeta> obj, IKubernetesObject<V1ObjectMeta> old, CancellationToken ct) =>
        Task.FromResult<Func<CancellationToken, Task>?>(null);

    /// <summary>Side effects once an update is durable (release what the old version held).</summary>
    public virtual Task AfterUpdateAsync(IKubernetesObject<V1ObjectMeta> obj, IKubernetesObject<V1ObjectMeta> old, CancellationToken ct) => Task.CompletedTask;

    /// <summary>Side effects once a delete is durable.</summary>
    public virtual Task AfterDeleteAsync(IKubernetesObject<V1ObjectMeta> old, CancellationToken ct) => Task.CompletedTask;
}
