using k8s.Models;
using static Navarch.ApiServer.Admission.PodSecurity.CheckText;

namespace Navarch.ApiServer.Admission.PodSecurity;

/// <summary>
/// The restricted level's own checks (the baseline ones apply too, except those marked overlapping, which these
/// replace), with upstream's IDs, versions and messages, in upstream's registration order.
/// </summary>
public static class RestrictedChecks
{
    private const int Always = int.MaxValue;

    public static IReadOnlyList<PodCheck> All { get; } =
    [
        new("allowPrivilegeEscalation", PodSecurityLevel.Restricted, false, 8, Always, AllowPrivilegeEscalation),
        new("capabilities_restricted", PodSecurityLevel.Restricted, false, 22, Always, Capabilities),
        new("restrictedVolumes", PodSecurityLevel.Restricted, false, 0, Always, Volumes),
        new("runAsNonRoot", PodSecurityLevel.Restricted, false, 0, Always, RunAsNonRoot),
        new("runAsUser", PodSecurityLevel.Restricted, false, 23, Always, RunAsUser),
        new("seccompProfile_restricted", PodSecurityLevel.Restricted, false, 19, Always, Seccomp),
    ];

    private static CheckViolation? AllowPrivilegeEscalation(V1ObjectMeta meta, V1PodSpec spec, int minor)
    {
        var names = Visit(spec).Where(c => c.SecurityContext?.AllowPrivilegeEscalation != false).Select(c => c.Name).ToList();
        return names.Count == 0 ? null
            : new CheckViolation("allowPrivilegeEscalation != false", $"{Containers(names)} must set securityContext.allowPrivilegeEscalation=false");
    }

    private static CheckViolation? Capabilities(V1ObjectMeta meta, V1PodSpec spec, int minor)
    {
        var missingDropAll = new List<string>();
        var addingForbidden = new List<string>();
        var forbidden = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var c in Visit(spec))
        {
            var caps = c.SecurityContext?.Capabilities;
            if (caps is null)
            {
                missingDropAll.Add(c.Name);
                continue;
            }
            if (caps.Drop?.Contains("ALL") != true) missingDropAll.Add(c.Name);
            var bad = caps.Add?.Where(cap => cap != "NET_BIND_SERVICE").ToList() ?? [];
            if (bad.Count == 0) continue;
            addingForbidden.Add(c.Name);
            forbidden.UnionWith(bad);
        }
        var details = new List<string>();
        if (missingDropAll.Count > 0) details.Add($"{Containers(missingDropAll)} must set securityContext.capabilities.drop=[\"ALL\"]");
        if (addingForbidden.Count > 0) details.Add($"{Containers(addingForbidden)} must not include {JoinQuote(forbidden)} in securityContext.capabilities.add");
        return details.Count == 0 ? null : new CheckViolation("unrestricted capabilities", string.Join("; ", details));
    }

    private static CheckViolation? Volumes(V1ObjectMeta meta, V1PodSpec spec, int minor)
    {
        var names = new List<string>();
        var types = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var v in spec.Volumes ?? [])
        {
            if (v.ConfigMap is not null || v.Csi is not null || v.DownwardAPI is not null || v.EmptyDir is not null || v.Ephemeral is not null
                || v.PersistentVolumeClaim is not null || v.Projected is not null || v.Secret is not null) continue;
            names.Add(v.Name);
            types.Add(VolumeType(v));
        }
        return names.Count == 0 ? null : new CheckViolation("restricted volume types",
            $"{Plural("volume", "volumes", names.Count)} {JoinQuote(names)} {Plural("uses", "use", names.Count)} {Plural("restricted volume type", "restricted volume types", types.Count)} {JoinQuote(types)}");
    }

    /// <summary>The JSON name of the volume's source, as upstream names it in the message.</summary>
    private static string VolumeType(V1Volume v) => v switch
    {
        { HostPath: not null } => "hostPath",
        { GcePersistentDisk: not null } => "gcePersistentDisk",
        { AwsElasticBlockStore: not null } => "awsElasticBlockStore",
        { GitRepo: not null } => "gitRepo",
        { Nfs: not null } => "nfs",
        { Iscsi: not null } => "iscsi",
        { Glusterfs: not null } => "glusterfs",
        { Rbd: not null } => "rbd",
        { FlexVolume: not null } => "flexVolume",
        { Cinder: not null } => "cinder",
        { Cephfs: not null } => "cephfs",
        { Flocker: not null } => "flocker",
        { Fc: not null } => "fc",
        { AzureFile: not null } => "azureFile",
        { VsphereVolume: not null } => "vsphereVolume",
        { Quobyte: not null } => "quobyte",
        { AzureDisk: not null } => "azureDisk",
        { PhotonPersistentDisk: not null } => "photonPersistentDisk",
        { PortworxVolume: not null } => "portworxVolume",
        { ScaleIO: not null } => "scaleIO",
        { Storageos: not null } => "storageos",
        { Image: not null } => "image",
        _ => "unknown",
    };

    private static CheckViolation? RunAsNonRoot(V1ObjectMeta meta, V1PodSpec spec, int minor)
    {
        // A pod in its own user namespace runs as root only there (upstream relaxes this for hostUsers: false).
        if (spec.HostUsers == false) return null;
        var podExplicitlyBad = spec.SecurityContext?.RunAsNonRoot == false;
        var podNonRoot = spec.SecurityContext?.RunAsNonRoot == true;
        var explicitlyBad = new List<string>();
        var implicitlyBad = new List<string>();
        foreach (var c in Visit(spec))
        {
            if (c.SecurityContext?.RunAsNonRoot is { } set)
            {
                if (!set) explicitlyBad.Add(c.Name);
            }
            else if (!podNonRoot) implicitlyBad.Add(c.Name);
        }
        if (podExplicitlyBad || explicitlyBad.Count > 0)
            return new CheckViolation("runAsNonRoot != true", $"{Setters(podExplicitlyBad, explicitlyBad)} must not set securityContext.runAsNonRoot=false");
        return implicitlyBad.Count == 0 ? null
            : new CheckViolation("runAsNonRoot != true", $"pod or {Containers(implicitlyBad)} must set securityContext.runAsNonRoot=true");
    }

    private static CheckViolation? RunAsUser(V1ObjectMeta meta, V1PodSpec spec, int minor)
    {
        if (spec.HostUsers == false) return null;
        var pod = spec.SecurityContext?.RunAsUser == 0;
        var containers = Visit(spec).Where(c => c.SecurityContext?.RunAsUser == 0).Select(c => c.Name).ToList();
        return !pod && containers.Count == 0 ? null : new CheckViolation("runAsUser=0", $"{Setters(pod, containers)} must not set runAsUser=0");
    }

    private static CheckViolation? Seccomp(V1ObjectMeta meta, V1PodSpec spec, int minor)
    {
        var badValues = new SortedSet<string>(StringComparer.Ordinal);
        var pod = false;
        var podSet = false;
        if (spec.SecurityContext?.SeccompProfile is { } podProfile)
        {
            if (BaselineChecks.ValidSeccomp(podProfile.Type)) podSet = true;
            else { pod = true; badValues.Add(podProfile.Type ?? ""); }
        }
        var explicitlyBad = new List<string>();
        var implicitlyBad = new List<string>();
        foreach (var c in Visit(spec))
        {
            if (c.SecurityContext?.SeccompProfile is { } profile)
            {
                if (BaselineChecks.ValidSeccomp(profile.Type)) continue;
                explicitlyBad.Add(c.Name);
                badValues.Add(profile.Type ?? "");
            }
            else if (!podSet) implicitlyBad.Add(c.Name);
        }
        if (pod || explicitlyBad.Count > 0)
            return new CheckViolation("seccompProfile", $"{Setters(pod, explicitlyBad)} must not set securityContext.seccompProfile.type to {JoinQuote(badValues)}");
        return implicitlyBad.Count == 0 ? null : new CheckViolation("seccompProfile",
            $"pod or {Containers(implicitlyBad)} must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\"");
    }
}
