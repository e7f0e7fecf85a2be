using k8s.Models;

namespace Navarch.Api.Validation;

/// <summary>Upstream's ValidatePodSpec, for the parts Navarch serves (containers, ports, env, policies, tolerations).</summary>
public static class PodSpecValidator
{
    private static readonly string[] RestartPolicies = ["Always", "OnFailure", "Never"];
    private static readonly string[] DnsPolicies = ["ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"];
    private static readonly string[] PullPolicies = ["Always", "IfNotPresent", "Never"];
    private static readonly string[] MessagePolicies = ["File", "FallbackToLogsOnError"];
    private static readonly string[] TaintEffects = ["NoSchedule", "PreferNoSchedule", "NoExecute"];

    /// <summary>The protocols a port may use, sorted as upstream lists them.</summary>
    public static readonly string[] Protocols = ["SCTP", "TCP", "UDP"];

    public static void Validate(V1PodSpec? spec, string path, List<FieldError> errors)
    {
        if (spec is null)
        {
            errors.Add(FieldError.Required(path + ".containers"));
            return;
        }
        var volumes = ValidateVolumes(spec.Volumes, path + ".volumes", errors);
        var names = new HashSet<string>(StringComparer.Ordinal);
        ValidateContainers(spec.Containers, path + ".containers", required: true, names, volumes, errors);
        ValidateContainers(spec.InitContainers, path + ".initContainers", required: false, names, volumes, errors);
        Enumerated(spec.RestartPolicy, RestartPolicies, path + ".restartPolicy", errors);
        Enumerated(spec.DnsPolicy, DnsPolicies, path + ".dnsPolicy", errors);
        MetadataValidator.ValidateLabels(spec.NodeSelector, path + ".nodeSelector", errors);
        if (!string.IsNullOrEmpty(spec.ServiceAccountName))
        {
            foreach (var msg in ValueFormats.IsDns1123Subdomain(spec.ServiceAccountName))
            {
                errors.Add(FieldError.Invalid(path + ".serviceAccountName", spec.ServiceAccountName, msg));
            }
        }
        if (!string.IsNullOrEmpty(spec.NodeName))
        {
            foreach (var msg in ValueFormats.IsDns1123Subdomain(spec.NodeName))
            {
                errors.Add(FieldError.Invalid(path + ".nodeName", spec.NodeName, msg));
            }
        }
        if (spec.ActiveDeadlineSeconds is { } deadline && deadline is < 1 or > int.MaxValue)
        {
            errors.Add(FieldError.Invalid(path + ".activeDeadlineSeconds", deadline, ValueFormats.InclusiveRangeError(1, int.MaxValue)));
        }
        Dns1123Label(spec.Hostname, path + ".hostname", errors);
        Dns1123Label(spec.Subdomain, path + ".subdomain", errors);
        ValidateTolerations(spec.Tolerations, path + ".tolerations", errors);
    }

    /// <summary>Required when empty, else one of the supported values (listed in the order given).</summary>
    public static void Enumerated(string? value, string[] supported, string path, List<FieldError> errors)
    {
        if (string.IsNullOrEmpty(value))
        {
            errors.Add(FieldError.Required(path));
        }
        else if (!supported.Contains(value, StringComparer.Ordinal))
        {
            errors.Add(FieldError.NotSupported(path, value, supported));
        }
    }

    /// <summary>Upstream's ValidateDNS1123Label for an optional field.</summary>
    public static void Dns1123Label(string? value, string path, List<FieldError> errors)
    {
        if (string.IsNullOrEmpty(value))
        {
            return;
        }
        foreach (var msg in ValueFormats.IsDns1123Label(value))
        {
            errors.Add(FieldError.Invalid(path, value, msg));
        }
    }

    /// <summary>Names (DNS labels, unique), exactly one source each, hostPath's path and type, the files of API-made volumes; returns the names.</summary>
    private static HashSet<string> ValidateVolumes(IList<V1Volume>? volumes, string path, List<FieldError> errors)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < (volumes?.Count ?? 0); i++)
        {
            var volume = volumes![i];
            var at = $"{path}[{i}]";
            if (string.IsNullOrEmpty(volume.Name)) errors.Add(FieldError.Required(at + ".name"));
            else Dns1123Label(volume.Name, at + ".name", errors);
            if (!string.IsNullOrEmpty(volume.Name) && !names.Add(volume.Name)) errors.Add(FieldError.Duplicate(at + ".name", volume.Name));
            var sources = VolumeSources(volume);
            if (sources.Count == 0) errors.Add(FieldError.Required(at, "must specify a volume type"));
            else if (sources.Count > 1) errors.Add(FieldError.Forbidden(at + "." + sources[1], "may not specify more than 1 volume type"));
            if (volume.HostPath is { } hostPath)
            {
                if (string.IsNullOrEmpty(hostPath.Path)) errors.Add(FieldError.Required(at + ".hostPath.path"));
                if (!string.IsNullOrEmpty(hostPath.Type) && !HostPathTypes.Contains(hostPath.Type))
                    errors.Add(FieldError.NotSupported(at + ".hostPath.type", hostPath.Type, HostPathTypes[1..]));
            }
            VolumeSourceValidator.Validate(volume, at, errors);
        }
        return names;
    }

    private static readonly string[] HostPathTypes = ["", "BlockDevice", "CharDevice", "Directory", "DirectoryOrCreate", "File", "FileOrCreate", "Socket"];

    /// <summary>The volume's sources by their field names, in the order upstream checks them (the common ones here).</summary>
    private static List<string> VolumeSources(V1Volume v)
    {
        var sources = new List<string>();
        if (v.HostPath is not null) sources.Add("hostPath");
        if (v.EmptyDir is not null) sources.Add("emptyDir");
        if (v.Secret is not null) sources.Add("secret");
        if (v.PersistentVolumeClaim is not null) sources.Add("persistentVolumeClaim");
        if (v.ConfigMap is not null) sources.Add("configMap");
        if (v.DownwardAPI is not null) sources.Add("downwardAPI");
        if (v.Projected is not null) sources.Add("projected");
        if (v.Nfs is not null) sources.Add("nfs");
        if (v.Csi is not null) sources.Add("csi");
        if (v.Ephemeral is not null) sources.Add("ephemeral");
        if (v.Image is not null) sources.Add("image");
        return sources;
    }

    /// <summary>Each mount names a declared volume, has a unique mountPath, and a relative subPath without "..".</summary>
    private static void ValidateVolumeMounts(IList<V1VolumeMount>? mounts, string path, HashSet<string> volumes, List<FieldError> errors)
    {
        var mountPaths = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < (mounts?.Count ?? 0); i++)
        {
            var mount = mounts![i];
            var at = $"{path}[{i}]";
            if (string.IsNullOrEmpty(mount.Name)) errors.Add(FieldError.Required(at + ".name"));
            else if (!volumes.Contains(mount.Name)) errors.Add(FieldError.NotFound(at + ".name", mount.Name));
            if (string.IsNullOrEmpty(mount.MountPath)) errors.Add(FieldError.Required(at + ".mountPath"));
            else if (!mountPaths.Add(mount.MountPath)) errors.Add(FieldError.Invalid(at + ".mountPath", mount.MountPath, "must be unique"));
            if (string.IsNullOrEmpty(mount.SubPath)) continue;
            if (mount.SubPath.StartsWith('/')) errors.Add(FieldError.Invalid(at + ".subPath", mount.SubPath, "must be a relative path"));
            if (mount.SubPath.Split('/').Contains("..")) errors.Add(FieldError.Invalid(at + ".subPath", mount.SubPath, "must not contain '..'"));
        }
    }

    private static void ValidateContainers(IList<V1Container>? containers, string path, bool required, HashSet<string> names, HashSet<string> volumes, List<FieldError> errors)
    {
        if (containers is null || containers.Count == 0)
        {
            if (required)
            {
                errors.Add(FieldError.Required(path));
            }
            return;
        }
        for (var i = 0; i < containers.Count; i++)
        {
            var ctr = containers[i];
            var at = $"{path}[{i}]";
            if (string.IsNullOrEmpty(ctr.Name))
            {
                errors.Add(FieldError.Required(at + ".name"));
            }
            else
            {
                Dns1123Label(ctr.Name, at + ".name", errors);
            }
            if (string.IsNullOrEmpty(ctr.Image))
            {
                errors.Add(FieldError.Required(at + ".image"));
            }
            Enumerated(ctr.TerminationMessagePolicy, MessagePolicies, at + ".terminationMessagePolicy", errors);
            ValidatePorts(ctr.Ports, at + ".ports", errors);
            ValidateEnv(ctr.Env, at + ".env", errors);
            ValidateVolumeMounts(ctr.VolumeMounts, at + ".volumeMounts", volumes, errors);
            Enumerated(ctr.ImagePullPolicy, PullPolicies, at + ".imagePullPolicy", errors);
            if (!names.Add(ctr.Name ?? ""))
            {
                errors.Add(FieldError.Duplicate(at + ".name", ctr.Name ?? ""));
            }
        }
    }

    private static void ValidatePorts(IList<V1ContainerPort>? ports, string path, List<FieldError> errors)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < (ports?.Count ?? 0); i++)
        {
            var port = ports![i];
            var at = $"{path}[{i}]";
            if (!string.IsNullOrEmpty(port.Name))
            {
                var msgs = ValueFormats.IsValidPortName(port.Name);
                foreach (var msg in msgs)
                {
                    errors.Add(FieldError.Invalid(at + ".name", port.Name, msg));
                }
                if (msgs.Count == 0 && !names.Add(port.Name))
                {
                    errors.Add(FieldError.Duplicate(at + ".name", port.Name));
                }
            }
            if (port.ContainerPort == 0)
            {
                errors.Add(FieldError.Required(at + ".containerPort"));
            }
            else
            {
                foreach (var msg in ValueFormats.IsValidPortNum(port.ContainerPort))
                {
                    errors.Add(FieldError.Invalid(at + ".containerPort", port.ContainerPort, msg));
                }
            }
            if (port.HostPort is { } hostPort and not 0)
            {
                foreach (var msg in ValueFormats.IsValidPortNum(hostPort))
                {
                    errors.Add(FieldError.Invalid(at + ".hostPort", hostPort, msg));
                }
            }
            Enumerated(port.Protocol, Protocols, at + ".protocol", errors);
        }
    }

    private static void ValidateEnv(IList<V1EnvVar>? env, string path, List<FieldError> errors)
    {
        for (var i = 0; i < (env?.Count ?? 0); i++)
        {
            var name = env![i].Name ?? "";
            var at = $"{path}[{i}].name";
            if (name.Length == 0)
            {
                errors.Add(FieldError.Required(at));
            }
            foreach (var msg in ValueFormats.IsRelaxedEnvVarName(name))
            {
                errors.Add(FieldError.Invalid(at, name, msg));
            }
        }
    }

    private static void ValidateTolerations(IList<V1Toleration>? tolerations, string path, List<FieldError> errors)
    {
        for (var i = 0; i < (tolerations?.Count ?? 0); i++)
        {
            var t = tolerations![i];
            var at = $"{path}[{i}]";
            if (!string.IsNullOrEmpty(t.Key))
            {
                MetadataValidator.ValidateQualifiedName(t.Key, at + ".key", errors);
            }
            if (string.IsNullOrEmpty(t.Key) && t.OperatorProperty != "Exists")
            {
                errors.Add(FieldError.Invalid(at + ".operator", t.OperatorProperty ?? "",
                    "operator must be Exists when `key` is empty, which means \"match all values and all keys\""));
            }
            if (t.TolerationSeconds is not null && t.Effect != "NoExecute")
            {
                errors.Add(FieldError.Invalid(at + ".effect", t.Effect ?? "", "effect must be 'NoExecute' when `tolerationSeconds` is set"));
            }
            switch (t.OperatorProperty)
            {
                case "Equal" or "" or null:
                    var msgs = ValueFormats.IsLabelValue(t.Value ?? "");
                    if (msgs.Count > 0)
                    {
                        errors.Add(FieldError.Invalid(at + ".operator", t.Value ?? "", string.Join(";", msgs)));
                    }
                    break;
                case "Exists":
                    if (!string.IsNullOrEmpty(t.Value))
                    {
                        errors.Add(FieldError.Invalid(at + ".operator", t.Value, "value must be empty when `operator` is 'Exists'"));
                    }
                    break;
                default:
                    errors.Add(FieldError.NotSupported(at + ".operator", t.OperatorProperty, ["Equal", "Exists"]));
                    break;
            }
            if (!string.IsNullOrEmpty(t.Effect) && !TaintEffects.Contains(t.Effect, StringComparer.Ordinal))
            {
                errors.Add(FieldError.NotSupported(at + ".effect", t.Effect, TaintEffects));
            }
        }
    }
}
