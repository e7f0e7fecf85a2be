using k8s.Models;
using Navarch.Api.Resources;
using Navarch.ApiServer.Registry;

namespace Navarch.ApiServer.Admission;

/// <summary>
/// Upstream's NamespaceLifecycle: nothing is created in a namespace that does not exist (404) or is being deleted
/// (403, cause NamespaceTerminating), and the namespaces the system needs may not be deleted. Runs first, so a
/// write into a missing namespace fails here before any plugin looks further.
/// </summary>
public sealed class NamespaceLifecycle(ObjectLookup lookup) : IMutatingAdmission
{
    /// <summary>Upstream's immortal namespaces.</summary>
    private static readonly HashSet<string> Immortal = ["default", "kube-system", "kube-public"];

    public string Name => AdmissionPluginNames.NamespaceLifecycle;

    public bool Handles(AdmissionOperation operation) => operation is AdmissionOperation.Create or AdmissionOperation.Delete;

    public async Task AdmitAsync(AdmissionAttributes a, CancellationToken ct)
    {
        if (a.Operation == AdmissionOperation.Delete)
        {
            if (a.IsMain(ResourceCatalog.Namespaces) && Immortal.Contains(a.Name)) throw a.Forbidden("this namespace may not be deleted");
            return;
        }
        if (!a.Resource.Namespaced || a.Namespace.Length == 0) return;
        // An active namespace in the cache is proof enough (namespaces are never re-activated); only a miss or a
        // terminating one needs the cache to catch up first.
        var ns = await lookup.GetAsync(ResourceCatalog.Namespaces, null, a.Namespace, ct);
        if (ns is not null && ns.Object.Metadata.DeletionTimestamp is not null)
            ns = await lookup.GetFreshAsync(ResourceCatalog.Namespaces, null, a.Namespace, ct);
        if (ns is null) throw ApiException.NotFound("namespaces", a.Namespace);
        if (ns.Object.Metadata.DeletionTimestamp is not null)
        {
            var e = a.Forbidden($"unable to create new content in namespace {a.Namespace} because it is being terminated");
            e.Details!.Causes = [new V1StatusCause { Reason = "NamespaceTerminating", Field = "metadata.namespace", Message = $"namespace {a.Namespace} is being terminated" }];
            throw e;
        }
    }
}
