using k8s.Models;
using Navarch.Api.Resources;
using Navarch.ApiServer.Authorization.Rbac;
using Navarch.ApiServer.Watching;

namespace Navarch.ApiServer.Authorization;

/// <summary>
/// Upstream's Node authorizer, for users <c>system:node:NAME</c> in <c>system:nodes</c>: secrets, config maps,
/// persistent volume claims and service accounts only when a pod bound to the node uses them (read from the pods in
/// the watch cache, as upstream's graph is built from its informers); leases only the node's own in
/// <c>kube-node-lease</c>; everything else by a fixed rule set (<see cref="NodeRules"/>). Which node or pod a write
/// names is NodeRestriction's check, at admission. Anything it does not allow is left to the next authorizer.
/// </summary>
public sealed class NodeAuthorizer(WatchCache cache) : IAuthorizer
{
    public Decision Authorize(RequestAttributes a, out string reason)
    {
        reason = "";
        var node = NodeIdentity.NodeName(a.User);
        if (node is null) return Decision.NoOpinion;
        if (node.Length == 0)
        {
            reason = "unknown node";
            return Decision.NoOpinion;
        }
        if (!a.IsResourceRequest) return Decision.NoOpinion;
        switch (a.ApiGroup, a.Resource, a.Subresource)
        {
            case ("", "secrets" or "configmaps", ""):
            case ("", "persistentvolumeclaims", ""):
            case ("", "serviceaccounts", ""):
                return ReadReferenced(node, a, out reason);
            case ("", "serviceaccounts", "token"):
                return CreateToken(node, a, out reason);
            case ("", "persistentvolumeclaims", "status"):
                if (a.Verb is not ("update" or "patch")) { reason = "can only get individual resources of this type"; return Decision.NoOpinion; }
                return Related(node, a, out reason);
            case ("coordination.k8s.io", "leases", ""):
                return Lease(node, a, out reason);
        }
        foreach (var rule in NodeRules)
            if (RuleMatching.Allows(rule, a)) return Decision.Allow;
        return Decision.NoOpinion;
    }

    private Decision ReadReferenced(string node, RequestAttributes a, out string reason)
    {
        if (a.Verb is not ("get" or "list" or "watch"))
        {
            reason = "can only read resources of this type";
            return Decision.NoOpinion;
        }
        if (a.Name.Length == 0)
        {
            reason = "can only read namespaced object of this type";
            return Decision.NoOpinion;
        }
        return Related(node, a, out reason);
    }

    private Decision CreateToken(string node, RequestAttributes a, out string reason)
    {
        if (a.Verb != "create" || a.Name.Length == 0)
        {
            reason = "can only create tokens for individual service accounts";
            return Decision.NoOpinion;
        }
        return Related(node, a, out reason);
    }

    private Decision Related(string node, RequestAttributes a, out string reason)
    {
        reason = "";
        foreach (var cached in cache.For(ResourceCatalog.Pods).Snapshot.Values)
        {
            if (cached.Namespace != a.Namespace || cached.Object is not V1Pod pod || pod.Spec.NodeName != node) continue;
            if (PodReferences.Uses(pod, a.Resource, a.Name)) return Decision.Allow;
        }
        reason = $"no relationship found between node '{node}' and this object";
        return Decision.NoOpinion;
    }

    private static Decision Lease(string node, RequestAttributes a, out string reason)
    {
        reason = "";
        if (a.Verb is not ("get" or "create" or "update" or "patch" or "delete"))
            reason = "can only get, create, update, patch, or delete a node lease";
        else if (a.Namespace != "kube-node-lease")
            reason = "can only access leases in the \"kube-node-lease\" system namespace";
        // The name of a create is in its body: NodeRestriction checks it.
        else if (a.Verb != "create" && a.Name != node)
            reason = "can only access node lease with the same name as the requesting node";
        return reason.Length == 0 ? Decision.Allow : Decision.NoOpinion;
    }

    private static V1PolicyRule Rule(string group, string[] resources, params string[] verbs) =>
        new() { ApiGroups = [group], Resources = resources, Verbs = verbs };

    /// <summary>
    /// What any node may do, as upstream's <c>NodeRules</c>, plus reading Services, Endpoints and EndpointSlices:
    /// Navarch's agent also runs its node's service proxy (upstream's kube-proxy holds those through system:node-proxier).
    /// </summary>
    public static IReadOnlyList<V1PolicyRule> NodeRules { get; } =
    [
        Rule("", ["nodes"], "create", "get", "list", "watch", "update", "patch"),
        Rule("", ["nodes/status"], "update", "patch"),
        Rule("", ["pods"], "get", "list", "watch", "create", "delete"),
        Rule("", ["pods/status"], "update", "patch"),
        Rule("", ["pods/eviction"], "create"),
        Rule("", ["services", "endpoints"], "get", "list", "watch"),
        Rule("discovery.k8s.io", ["endpointslices"], "get", "list", "watch"),
        Rule("", ["events"], "create", "update", "patch"),
        Rule("events.k8s.io", ["events"], "create", "update", "patch"),
        Rule("authentication.k8s.io", ["tokenreviews"], "create"),
        Rule("authorization.k8s.io", ["subjectaccessreviews", "localsubjectaccessreviews"], "create"),
        Rule("certificates.k8s.io", ["certificatesigningrequests"], "create", "get", "list", "watch"),
        Rule("storage.k8s.io", ["csinodes"], "create", "get", "update", "patch", "delete"),
        Rule("storage.k8s.io", ["csidrivers", "volumeattachments"], "get", "list", "watch"),
        Rule("node.k8s.io", ["runtimeclasses"], "get", "list", "watch"),
    ];
}

/// <summary>What a pod uses from the API: the edges of upstream's node authorizer graph.</summary>
public static class PodReferences
{
    public static bool Uses(V1Pod pod, string resource, string name) => resource switch
    {
        "secrets" => Secrets(pod).Contains(name),
        "configmaps" => ConfigMaps(pod).Contains(name),
        "persistentvolumeclaims" => Claims(pod).Contains(name),
        "serviceaccounts" => (string.IsNullOrEmpty(pod.Spec.ServiceAccountName) ? "default" : pod.Spec.ServiceAccountName) == name,
        _ => false,
    };

    private static IEnumerable<V1Container> AllContainers(V1Pod pod) =>
        (pod.Spec.InitContainers ?? []).Concat(pod.Spec.Containers ?? []);

    public static HashSet<string> Secrets(V1Pod pod)
    {
        var names = new HashSet<string>();
        foreach (var s in pod.Spec.ImagePullSecrets ?? []) if (s.Name is { } n) names.Add(n);
        foreach (var v in pod.Spec.Volumes ?? [])
        {
            if (v.Secret?.SecretName is { } secret) names.Add(secret);
            foreach (var p in v.Projected?.Sources ?? []) if (p.Secret?.Name is { } projected) names.Add(projected);
            // Volume plugins that read credentials from a secret.
            if (v.AzureFile?.SecretName is { } azure) names.Add(azure);
            if (v.Cephfs?.SecretRef?.Name is { } ceph) names.Add(ceph);
            if (v.Rbd?.SecretRef?.Name is { } rbd) names.Add(rbd);
            if (v.Iscsi?.SecretRef?.Name is { } iscsi) names.Add(iscsi);
            if (v.FlexVolume?.SecretRef?.Name is { } flex) names.Add(flex);
            if (v.Csi?.NodePublishSecretRef?.Name is { } csi) names.Add(csi);
        }
        foreach (var c in AllContainers(pod))
        {
            foreach (var e in c.Env ?? []) if (e.ValueFrom?.SecretKeyRef?.Name is { } env) names.Add(env);
            foreach (var e in c.EnvFrom ?? []) if (e.SecretRef?.Name is { } envFrom) names.Add(envFrom);
        }
        return names;
    }

    public static HashSet<string> ConfigMaps(V1Pod pod)
    {
        var names = new HashSet<string>();
        foreach (var v in pod.Spec.Volumes ?? [])
        {
            if (v.ConfigMap?.Name is { } cm) names.Add(cm);
            foreach (var p in v.Projected?.Sources ?? []) if (p.ConfigMap?.Name is { } projected) names.Add(projected);
        }
        foreach (var c in AllContainers(pod))
        {
            foreach (var e in c.Env ?? []) if (e.ValueFrom?.ConfigMapKeyRef?.Name is { } env) names.Add(env);
            foreach (var e in c.EnvFrom ?? []) if (e.ConfigMapRef?.Name is { } envFrom) names.Add(envFrom);
        }
        return names;
    }

    public static HashSet<string> Claims(V1Pod pod)
    {
        var names = new HashSet<string>();
        foreach (var v in pod.Spec.Volumes ?? [])
        {
            if (v.PersistentVolumeClaim?.ClaimName is { } claim) names.Add(claim);
            // A generic ephemeral volume's claim is named after the pod and the volume.
            if (v.Ephemeral is not null) names.Add($"{pod.Metadata.Name}-{v.Name}");
        }
        return names;
    }
}
