namespace Navarch.ApiServer.Admission;

/// <summary>
/// Upstream's plugin names, their fixed order (kube-apiserver's <c>AllOrderedPlugins</c>) and which are on by default,
/// and the resolution of <c>--enable-admission-plugins</c> / <c>--disable-admission-plugins</c>.
/// </summary>
public static class AdmissionPluginNames
{
    public const string NamespaceLifecycle = "NamespaceLifecycle";
    public const string ServiceAccount = "ServiceAccount";
    public const string NodeRestriction = "NodeRestriction";
    public const string PodSecurity = "PodSecurity";
    public const string CertificateApproval = "CertificateApproval";
    public const string CertificateSigning = "CertificateSigning";

    /// <summary>Every upstream plugin name, in the order upstream runs them.</summary>
    public static IReadOnlyList<string> Ordered { get; } =
    [
        "AlwaysAdmit", "NamespaceAutoProvision", NamespaceLifecycle, "NamespaceExists", "SecurityContextDeny",
        "LimitPodHardAntiAffinityTopology", "LimitRanger", ServiceAccount, NodeRestriction, "TaintNodesByCondition",
        "AlwaysPullImages", "ImagePolicyWebhook", PodSecurity, "PodNodeSelector", "Priority", "DefaultTolerationSeconds",
        "PodTolerationRestriction", "EventRateLimit", "ExtendedResourceToleration", "DefaultStorageClass",
        "StorageObjectInUseProtection", "OwnerReferencesPermissionEnforcement", "PersistentVolumeClaimResize",
        "RuntimeClass", CertificateApproval, CertificateSigning, "ClusterTrustBundleAttest",
        "CertificateSubjectRestriction", "DefaultIngressClass", "DenyServiceExternalIPs", "PodTopologyLabels",
        "MutatingAdmissionWebhook", "ValidatingAdmissionPolicy", "ValidatingAdmissionWebhook", "ResourceQuota", "AlwaysDeny",
    ];

    /// <summary>The plugins Navarch implements; the other upstream names are accepted by the flags and do nothing.</summary>
    public static IReadOnlyList<string> Implemented { get; } = [NamespaceLifecycle, ServiceAccount, NodeRestriction, PodSecurity, CertificateApproval, CertificateSigning];

    /// <summary>
    /// On unless disabled: upstream's defaults that Navarch implements, plus NodeRestriction, which kubeadm and k3s turn on
    /// (Navarch's agents run as <c>system:node:NAME</c>, and nothing else keeps one node from writing another's objects).
    /// </summary>
    public static IReadOnlyList<string> Defaults { get; } = [NamespaceLifecycle, ServiceAccount, NodeRestriction, PodSecurity, CertificateApproval, CertificateSigning];

    public static int Position(string name)
    {
        for (var i = 0; i < Ordered.Count; i++)
            if (Ordered[i] == name) return i;
        return Ordered.Count;
    }

    /// <summary>
    /// The implemented plugins to run: the defaults plus <paramref name="enable"/>, minus <paramref name="disable"/>.
    /// Throws <see cref="ArgumentException"/> naming the flag for an unknown name or a name in both lists (upstream's checks).
    /// </summary>
    public static IReadOnlyList<string> Resolve(IReadOnlyList<string> enable, IReadOnlyList<string> disable)
    {
        foreach (var (flag, names) in new[] { ("--enable-admission-plugins", enable), ("--disable-admission-plugins", disable) })
            foreach (var name in names)
                if (!Ordered.Contains(name)) throw new ArgumentException($"{flag}: plugin \"{name}\" is unknown");
        foreach (var name in enable)
            if (disable.Contains(name))
                throw new ArgumentException($"--enable-admission-plugins: plugin \"{name}\" is also in --disable-admission-plugins");
        return Implemented.Where(n => (Defaults.Contains(n) || enable.Contains(n)) && !disable.Contains(n)).ToList();
    }
}
