using k8s.Models;
using Navarch.Api.Resources;
using Navarch.ApiServer.Authorization;

namespace Navarch.ApiServer.Admission;

/// <summary>
/// Upstream's NodeRestriction: with the Node authorizer, a node (<c>system:node:NAME</c>) writes only its own Node and
/// Lease and the pods bound to it: it may create only mirror pods bound to itself, delete and update the status of only
/// pods bound to itself. Everyone else passes untouched.
/// </summary>
public sealed class NodeRestriction : IValidatingAdmission
{
    private const string MirrorAnnotation = "kubernetes.io/config.mirror";
    private const string NodeLeaseNamespace = "kube-node-lease";

    public string Name => AdmissionPluginNames.NodeRestriction;

    public bool Handles(AdmissionOperation operation) => true;

    public Task ValidateAsync(AdmissionAttributes a, CancellationToken ct)
    {
        var node = NodeIdentity.NodeName(a.User);
        if (node is null) return Task.CompletedTask;
        if (node.Length == 0) throw a.Forbidden("could not determine node from user \"" + a.User.Name + "\"");
        if (a.Resource == ResourceCatalog.Pods) AdmitPod(node, a);
        else if (a.Resource == ResourceCatalog.Nodes) AdmitNode(node, a);
        else if (a.Resource == ResourceCatalog.Leases) AdmitLease(node, a);
        return Task.CompletedTask;
    }

    private static void AdmitPod(string node, AdmissionAttributes a)
    {
        var current = (a.OldObject ?? a.Object) as V1Pod;
        switch (a.Subresource, a.Operation)
        {
            case ("", AdmissionOperation.Create):
                var pod = (V1Pod)a.Object!;
                if (pod.Metadata.Annotations?.ContainsKey(MirrorAnnotation) != true)
                    throw a.Forbidden($"pod does not have \"{MirrorAnnotation}\" annotation, node \"{node}\" can only create mirror pods");
                if (pod.Spec.NodeName != node) throw a.Forbidden($"node \"{node}\" can only create pods with spec.nodeName set to itself");
                return;
            case ("", AdmissionOperation.Delete):
                if (current?.Spec.NodeName != node) throw a.Forbidden($"node \"{node}\" can only delete pods with spec.nodeName set to itself");
                return;
            case ("status", _):
                if ((a.OldObject as V1Pod)?.Spec.NodeName != node) throw a.Forbidden($"node \"{node}\" can only update pod status for pods with spec.nodeName set to itself");
                return;
            case ("eviction", _):
                if (current?.Spec.NodeName != node) throw a.Forbidden($"node {node} can only evict pods with spec.nodeName set to itself");
                return;
            default:
                throw a.Forbidden($"unexpected operation {a.Operation.ToString().ToUpperInvariant()}, subresource {a.Subresource}");
        }
    }

    private static void AdmitNode(string node, AdmissionAttributes a)
    {
        var target = a.Operation == AdmissionOperation.Create ? a.Object?.Metadata.Name ?? a.Name : a.Name;
        if (target != node) throw a.Forbidden($"node \"{node}\" is not allowed to modify node \"{target}\"");
        if (a.Operation == AdmissionOperation.Update && a.Subresource.Length == 0 && a.Object is V1Node updated && a.OldObject is V1Node old
            && !TaintsEqual(updated.Spec?.Taints, old.Spec?.Taints))
            throw a.Forbidden($"node \"{node}\" is not allowed to modify taints");
    }

    private static bool TaintsEqual(IList<V1Taint>? a, IList<V1Taint>? b) =>
        (a?.Select(t => (t.Key, t.Value, t.Effect)) ?? []).SequenceEqual(b?.Select(t => (t.Key, t.Value, t.Effect)) ?? []);

    private static void AdmitLease(string node, AdmissionAttributes a)
    {
        if (a.Namespace != NodeLeaseNamespace) throw a.Forbidden($"can only access leases in the \"{NodeLeaseNamespace}\" system namespace");
        var name = a.Operation == AdmissionOperation.Create ? a.Object?.Metadata.Name ?? a.Name : a.Name;
        if (name != node) throw a.Forbidden("can only access node lease with the same name as the requesting node");
    }
}
