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
        var names = new HashSet<string>(StringComparer.Ordinal);
        ValidateContainers(spec.Containers, path + ".containers", required: true, names, errors);
        ValidateContainers(spec.InitContainers, path + ".initContainers", required: false, names, errors);
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

    private static void ValidateContainers(IList<V1Container>? containers, string path, bool required, HashSet<string> names, List<FieldError> errors)
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
