using k8s;
using k8s.Models;
using Navarch.Api.Resources;
using Navarch.ApiServer.Admission;
using Navarch.ApiServer.Storage;
using Navarch.Storage;

namespace Navarch.ApiServer.Registry;

/// <param name="Object">The object: as deleted, or as it now waits (deletionTimestamp set).</param>
/// <param name="Deleted">True when it is gone from the store; false when it waits for finalizers or a grace period.</param>
public sealed record DeleteResult(IKubernetesObject<V1ObjectMeta> Object, bool Deleted);

public sealed partial class ObjectRegistry
{
    public const string OrphanFinalizer = "orphan";
    public const string ForegroundFinalizer = "foregroundDeletion";

    /// <summary>
    /// Deletes as upstream does: preconditions, graceful deletion for pods bound to a node, finalizers
    /// (including the ones the propagation policy asks for) that keep the object until they are removed.
    /// <paramref name="writeOptions"/> carry the request for admission (null for the server's own deletes).
    /// </summary>
    public async Task<DeleteResult> DeleteAsync(ResourceType rt, string? ns, string name, V1DeleteOptions options, bool dryRun, CancellationToken ct, WriteOptions? writeOptions = null)
    {
        var key = ObjectKeys.For(rt, ns, name);
        var strategy = _strategies[rt];
        for (var attempt = 1; ; attempt++)
        {
            var current = await GetAsync(rt, ns, name, ct);
            var meta = current.Object.Metadata;
            if (options.Preconditions?.Uid is { Length: > 0 } uid && uid != meta.Uid)
                throw ApiException.Conflict(rt.Plural, name, $"Precondition failed: UID in precondition: {uid}, UID in object meta: {meta.Uid}", rt.Group);
            if (options.Preconditions?.ResourceVersion is { Length: > 0 } rv && rv != Rv(current.Revision))
                throw ApiException.Conflict(rt.Plural, name, $"Precondition failed: ResourceVersion in precondition: {rv}, ResourceVersion in object meta: {Rv(current.Revision)}", rt.Group);

            // Admitted once: a retry after a conflict deletes the same object.
            if (attempt == 1 && writeOptions?.Admission is not null)
                await AdmitDeleteAsync(rt, ns, name, current.Object, writeOptions, ct);

            if (PendingDeletion(rt, current.Object, options) is var (pending, changed))
            {
                if (dryRun || !changed) return new DeleteResult(pending, false);
                try
                {
                    var revision = await _store.UpdateAsync(key, ObjectCodec.Encode(rt, pending), current.Revision, ct);
                    pending.Metadata.ResourceVersion = Rv(revision);
                    return new DeleteResult(pending, false);
                }
                catch (StorageException e) when (e.Code is StorageErrorCode.Conflict && attempt < MaxUpdateAttempts)
                {
                    continue;
                }
            }

            if (dryRun) return new DeleteResult(current.Object, true);
            try
            {
                var revision = await _store.DeleteAsync(key, current.Revision, ct);
                await strategy.AfterDeleteAsync(current.Object, ct);
                var gone = ObjectCodec.Clone(rt, current.Object);
                gone.Metadata.ResourceVersion = Rv(revision);
                return new DeleteResult(gone, true);
            }
            catch (StorageException e) when (e.Code is StorageErrorCode.Conflict && attempt < MaxUpdateAttempts)
            {
            }
            catch (StorageException e) when (e.Code is StorageErrorCode.NotFound)
            {
                throw ApiException.NotFound(rt.Plural, name, rt.Group);
            }
        }
    }

    /// <summary>Admission of a delete: the plugins see the current object as the old one, and no new object.</summary>
    private Task AdmitDeleteAsync(ResourceType rt, string? ns, string name, IKubernetesObject<V1ObjectMeta> current, WriteOptions options, CancellationToken ct)
    {
        // Plugins get a copy: the cached object is shared.
        var old = ObjectCodec.Clone(rt, current);
        return AdmitAsync(AdmissionOperation.Delete, rt, ns, name, null, old, options, () => { }, ct);
    }

    /// <summary>
    /// What to do instead of deleting at once: null to delete now, or the version to write with
    /// deletionTimestamp set (Changed = false when a repeated delete changes nothing).
    /// </summary>
    private (IKubernetesObject<V1ObjectMeta> Object, bool Changed)? PendingDeletion(ResourceType rt, IKubernetesObject<V1ObjectMeta> current, V1DeleteOptions options)
    {
        var obj = ObjectCodec.Clone(rt, current);
        var meta = obj.Metadata;
        var finalizers = meta.Finalizers?.ToList() ?? [];
        var changed = false;

        var policy = options.PropagationPolicy ?? (options.OrphanDependents == true ? "Orphan" : null);
        if (policy is "Orphan" or "Foreground" && HasDependents(meta.Uid))
        {
            var finalizer = policy == "Orphan" ? OrphanFinalizer : ForegroundFinalizer;
            var other = policy == "Orphan" ? ForegroundFinalizer : OrphanFinalizer;
            changed |= finalizers.Remove(other);
            if (!finalizers.Contains(finalizer)) { finalizers.Add(finalizer); changed = true; }
        }
        meta.Finalizers = finalizers.Count > 0 ? finalizers : null;

        var grace = rt.Definition.GracePeriodSeconds(obj, options);
        if (meta.DeletionTimestamp is not null)
        {
            // Already terminating: a delete may only shorten the grace period.
            if (grace < (meta.DeletionGracePeriodSeconds ?? 0))
            {
                meta.DeletionGracePeriodSeconds = grace;
                meta.DeletionTimestamp = TruncateToSeconds(_time.GetUtcNow().UtcDateTime.AddSeconds(grace));
                changed = true;
            }
            if (rt.Definition.IsFinalized(obj) && (meta.DeletionGracePeriodSeconds ?? 0) == 0) return null;
            return (obj, changed);
        }

        if (rt.Definition.IsFinalized(obj) && grace == 0) return null;
        meta.DeletionGracePeriodSeconds = grace;
        meta.DeletionTimestamp = TruncateToSeconds(_time.GetUtcNow().UtcDateTime.AddSeconds(grace));
        rt.Definition.MarkTerminating(obj);
        return (obj, true);
    }

    private bool HasDependents(string uid)
    {
        foreach (var rt in ResourceCatalog.All)
            foreach (var o in _cache.For(rt).Snapshot.Values)
                if (o.Object.Metadata.OwnerReferences?.Any(r => r.Uid == uid) == true) return true;
        return false;
    }

    private static DateTime TruncateToSeconds(DateTime t) => new(t.Ticks - t.Ticks % TimeSpan.TicksPerSecond, DateTimeKind.Utc);
}
