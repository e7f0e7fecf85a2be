using k8s.Models;
using static Navarch.ApiServer.Admission.PodSecurity.CheckText;

namespace Navarch.ApiServer.Admission.PodSecurity;

/// <summary>
/// The baseline level of the Pod Security Standards, with upstream's check IDs, versions and messages
/// (k8s.io/pod-security-admission/policy/check_*.go), in upstream's registration order.
/// </summary>
public static class BaselineChecks
{
    private const int Always = int.MaxValue;

    public static IReadOnlyList<PodCheck> All { get; } =
    [
        new("appArmorProfile", PodSecurityLevel.Baseline, false, 0, Always, AppArmor),
        new("capabilities_baseline", PodSecurityLevel.Baseline, true, 0, Always, Capabilities),
        new("hostNamespaces", PodSecurityLevel.Baseline, false, 0, Always, HostNamespaces),
        new("hostPathVolumes", PodSecurityLevel.Baseline, true, 0, Always, HostPathVolumes),
        new("hostPorts", PodSecurityLevel.Baseline, false, 0, Always, HostPorts),
        new("privileged", PodSecurityLevel.Baseline, false, 0, Always, Privileged),
        new("procMount", PodSecurityLevel.Baseline, false, 0, Always, ProcMount),
        new("seLinuxOptions", PodSecurityLevel.Baseline, false, 0, Always, SeLinux),
        new("seccompProfile_baseline", PodSecurityLevel.Baseline, true, 0, 19, SeccompAnnotations),
        new("seccompProfile_baseline", PodSecurityLevel.Baseline, true, 19, Always, SeccompFields),
        new("sysctls", PodSecurityLevel.Baseline, false, 0, Always, Sysctls),
    ];

    private const string AppArmorAnnotationPrefix = "container.apparmor.security.beta.kubernetes.io/";

    private static CheckViolation? AppArmor(V1ObjectMeta meta, V1PodSpec spec, int minor)
    {
        var bad = new List<string>();
        foreach (var (key, value) in meta.Annotations ?? new Dictionary<string, string>())
            if (key.StartsWith(AppArmorAnnotationPrefix, StringComparison.Ordinal) && !(value.Length == 0 || value == "runtime/default" || value.StartsWith("localhost/", StringComparison.Ordinal)))
                bad.Add($"{key}={Quote(value)}");
        bad.Sort(StringComparer.Ordinal);
        if (minor >= 30)
        {
            static bool Unconfined(V1AppArmorProfile? p) => p?.Type == "Unconfined";
            var pod = Unconfined(spec.SecurityContext?.AppArmorProfile);
            var containers = Visit(spec).Where(c => Unconfined(c.SecurityContext?.AppArmorProfile)).Select(c => c.Name).ToList();
            if (pod || containers.Count > 0) bad.Add($"{Setters(pod, containers)} must not set securityContext.appArmorProfile.type to \"Unconfined\"");
        }
        return bad.Count == 0 ? null
            : new CheckViolation(Plural("forbidden AppArmor profile", "forbidden AppArmor profiles", bad.Count), string.Join(", ", bad));
    }

    private static readonly HashSet<string> DefaultCapabilities =
        ["AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT"];

    private static CheckViolation? Capabilities(V1ObjectMeta meta, V1PodSpec spec, int minor)
    {
        var containers = new List<string>();
        var added = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var c in Visit(spec))
        {
            var bad = c.SecurityContext?.Capabilities?.Add?.Where(cap => !DefaultCapabilities.Contains(cap)).ToList() ?? [];
            if (bad.Count == 0) continue;
            containers.Add(c.Name);
            added.UnionWith(bad);
        }
        return containers.Count == 0 ? null
            : new CheckViolation("non-default capabilities", $"{Containers(containers)} must not include {JoinQuote(added)} in securityContext.capabilities.add");
    }

    private static CheckViolation? HostNamespaces(V1ObjectMeta meta, V1PodSpec spec, int minor)
    {
        // Sorted as upstream's string set lists them.
        var used = new List<string>();
        if (spec.HostIPC == true) used.Add("hostIPC");
        if (spec.HostNetwork == true) used.Add("hostNetwork");
        if (spec.HostPID == true) used.Add("hostPID");
        return used.Count == 0 ? null : new CheckViolation("host namespaces", string.Join(", ", used));
    }

    private static CheckViolation? HostPathVolumes(V1ObjectMeta meta, V1PodSpec spec, int minor)
    {
        var names = (spec.Volumes ?? []).Where(v => v.HostPath is not null).Select(v => v.Name).ToList();
        return names.Count == 0 ? null : new CheckViolation("hostPath volumes", $"{Plural("volume", "volumes", names.Count)} {JoinQuote(names)}");
    }

    private static CheckViolation? HostPorts(V1ObjectMeta meta, V1PodSpec spec, int minor)
    {
        var containers = new List<string>();
        var ports = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var c in Visit(spec))
        {
            var used = c.Ports?.Where(p => (p.HostPort ?? 0) != 0).Select(p => p.HostPort!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList() ?? [];
            if (used.Count == 0) continue;
            containers.Add(c.Name);
            ports.UnionWith(used);
        }
        return containers.Count == 0 ? null : new CheckViolation("hostPort",
            $"{Containers(containers)} {Plural("uses", "use", containers.Count)} {Plural("hostPort", "hostPorts", ports.Count)} {string.Join(", ", ports)}");
    }

    private static CheckViolation? Privileged(V1ObjectMeta meta, V1PodSpec spec, int minor)
    {
        var names = Visit(spec).Where(c => c.SecurityContext?.Privileged == true).Select(c => c.Name).ToList();
        return names.Count == 0 ? null : new CheckViolation("privileged", $"{Containers(names)} must not set securityContext.privileged=true");
    }

    private static CheckViolation? ProcMount(V1ObjectMeta meta, V1PodSpec spec, int minor)
    {
        // A pod in its own user namespace may unmask /proc (upstream relaxes this check for hostUsers: false).
        if (spec.HostUsers == false) return null;
        var containers = new List<string>();
        var types = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var c in Visit(spec))
        {
            if (c.SecurityContext?.ProcMount is not { } type || type == "Default") continue;
            containers.Add(c.Name);
            types.Add(type);
        }
        return containers.Count == 0 ? null
            : new CheckViolation("procMount", $"{Containers(containers)} must not set securityContext.procMount to {JoinQuote(types)}");
    }

    private static readonly HashSet<string> SeLinuxTypes = ["", "container_t", "container_init_t", "container_kvm_t"];
    private static readonly HashSet<string> SeLinuxTypesSince131 = [.. SeLinuxTypes, "container_engine_t"];

    private static CheckViolation? SeLinux(V1ObjectMeta meta, V1PodSpec spec, int minor)
    {
        var allowed = minor >= 31 ? SeLinuxTypesSince131 : SeLinuxTypes;
        var badTypes = new SortedSet<string>(StringComparer.Ordinal);
        bool setUser = false, setRole = false;
        bool Valid(V1SELinuxOptions o)
        {
            var valid = true;
            if (!allowed.Contains(o.Type ?? "")) { valid = false; badTypes.Add(o.Type ?? ""); }
            if (!string.IsNullOrEmpty(o.User)) { valid = false; setUser = true; }
            if (!string.IsNullOrEmpty(o.Role)) { valid = false; setRole = true; }
            return valid;
        }
        var pod = spec.SecurityContext?.SeLinuxOptions is { } podOptions && !Valid(podOptions);
        var containers = Visit(spec).Where(c => c.SecurityContext?.SeLinuxOptions is { } o && !Valid(o)).Select(c => c.Name).ToList();
        if (!pod && containers.Count == 0) return null;
        var data = new List<string>();
        if (badTypes.Count > 0) data.Add($"{Plural("type", "types", badTypes.Count)} {JoinQuote(badTypes)}");
        if (setUser) data.Add("user may not be set");
        if (setRole) data.Add("role may not be set");
        return new CheckViolation("seLinuxOptions", $"{Setters(pod, containers)} set forbidden securityContext.seLinuxOptions: {string.Join("; ", data)}");
    }

    private const string SeccompPodAnnotation = "seccomp.security.alpha.kubernetes.io/pod";
    private const string SeccompContainerAnnotationPrefix = "container.seccomp.security.alpha.kubernetes.io/";

    private static CheckViolation? SeccompAnnotations(V1ObjectMeta meta, V1PodSpec spec, int minor)
    {
        static bool Valid(string v) => v is "runtime/default" or "docker/default" || v.StartsWith("localhost/", StringComparison.Ordinal);
        var annotations = meta.Annotations ?? new Dictionary<string, string>();
        var bad = new SortedSet<string>(StringComparer.Ordinal);
        if (annotations.TryGetValue(SeccompPodAnnotation, out var podValue) && !Valid(podValue)) bad.Add($"{SeccompPodAnnotation}={Quote(podValue)}");
        foreach (var c in Visit(spec))
            if (annotations.TryGetValue(SeccompContainerAnnotationPrefix + c.Name, out var v) && !Valid(v))
                bad.Add($"{SeccompContainerAnnotationPrefix}{c.Name}={Quote(v)}");
        return bad.Count == 0 ? null
            : new CheckViolation("seccompProfile", $"forbidden {Plural("annotation", "annotations", bad.Count)} {string.Join(", ", bad)}");
    }

    internal static bool ValidSeccomp(string? type) => type is "RuntimeDefault" or "Localhost";

    private static CheckViolation? SeccompFields(V1ObjectMeta meta, V1PodSpec spec, int minor)
    {
        var badValues = new SortedSet<string>(StringComparer.Ordinal);
        var pod = false;
        if (spec.SecurityContext?.SeccompProfile is { } podProfile && !ValidSeccomp(podProfile.Type))
        {
            pod = true;
            badValues.Add(podProfile.Type ?? "");
        }
        var containers = new List<string>();
        foreach (var c in Visit(spec))
        {
            if (c.SecurityContext?.SeccompProfile is not { } profile || ValidSeccomp(profile.Type)) continue;
            containers.Add(c.Name);
            badValues.Add(profile.Type ?? "");
        }
        return !pod && containers.Count == 0 ? null
            : new CheckViolation("seccompProfile", $"{Setters(pod, containers)} must not set securityContext.seccompProfile.type to {JoinQuote(badValues)}");
    }

    // The safe set grew at v1.27 and v1.29.
    private static readonly HashSet<string> SafeSysctls = ["kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range", "net.ipv4.ip_unprivileged_port_start"];
    private static readonly HashSet<string> SafeSysctlsSince127 = [.. SafeSysctls, "net.ipv4.ip_local_reserved_ports"];
    private static readonly HashSet<string> SafeSysctlsSince129 = [.. SafeSysctlsSince127, "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl", "net.ipv4.tcp_keepalive_probes"];

    private static CheckViolation? Sysctls(V1ObjectMeta meta, V1PodSpec spec, int minor)
    {
        if (spec.SecurityContext?.Sysctls is not { Count: > 0 } sysctls) return null;
        var allowed = minor >= 29 ? SafeSysctlsSince129 : minor >= 27 ? SafeSysctlsSince127 : SafeSysctls;
        var bad = sysctls.Select(s => s.Name).Where(n => !allowed.Contains(n)).ToList();
        return bad.Count == 0 ? null : new CheckViolation("forbidden sysctls", string.Join(", ", bad));
    }
}
