using System.Globalization;
using k8s.Models;
using Navarch.Api.Validation;

namespace Navarch.Api.Kinds.Service;

/// <summary>Services: upstream's ValidateService and the clusterIP rule of ValidateServiceUpdate.</summary>
public static class ServiceValidator
{
    private static readonly string[] Types = ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"];
    private static readonly string[] Affinities = ["ClientIP", "None"];
    private static readonly string[] TrafficPolicies = ["Cluster", "Local"];

    public static void Validate(V1Service svc, List<FieldError> errors)
    {
        MetadataValidator.ValidateObjectMeta(svc.Metadata, namespaced: true, NameRules.Dns1035Label, "metadata", errors);
        var spec = svc.Spec ?? new V1ServiceSpec();
        var ports = spec.Ports ?? [];
        var headless = spec.ClusterIP == "None";
        if (ports.Count == 0 && !headless && spec.Type != "ExternalName")
        {
            errors.Add(FieldError.Required("spec.ports"));
        }
        if (spec.Type == "ExternalName")
        {
            if (string.IsNullOrEmpty(spec.ExternalName))
            {
                errors.Add(FieldError.Required("spec.externalName"));
            }
            else
            {
                foreach (var msg in ValueFormats.IsDns1123Subdomain(spec.ExternalName.TrimEnd('.')))
                {
                    errors.Add(FieldError.Invalid("spec.externalName", spec.ExternalName, msg));
                }
            }
        }
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < ports.Count; i++)
        {
            ValidatePort(ports[i], ports.Count > 1, names, $"spec.ports[{i}]", errors);
        }
        MetadataValidator.ValidateLabels(spec.Selector, "spec.selector", errors);
        PodSpecValidator.Enumerated(spec.SessionAffinity, Affinities, "spec.sessionAffinity", errors);
        ValidateClusterIps(spec, errors);
        PodSpecValidator.Enumerated(spec.Type, Types, "spec.type", errors);
        ValidateNodePorts(spec, ports, errors);
        ValidateTrafficPolicies(spec, errors);
        ValidateDuplicatePorts(ports, errors);
    }

    /// <summary>An allocated cluster IP may not change (except to or from type ExternalName).</summary>
    public static void ValidateUpdate(V1Service svc, V1Service old, List<FieldError> errors)
    {
        var now = svc.Spec ?? new V1ServiceSpec();
        var before = old.Spec ?? new V1ServiceSpec();
        if (now.Type == "ExternalName" || before.Type == "ExternalName")
        {
            return;
        }
        var newIps = EffectiveClusterIps(now);
        var oldIps = EffectiveClusterIps(before);
        if (newIps.Count > 0 && oldIps.Count > 0 && newIps[0] != oldIps[0])
        {
            errors.Add(FieldError.InvalidLiteral("spec.clusterIPs[0]", GoText.StringSlice(newIps), "may not change once set"));
        }
    }

    /// <summary>spec.clusterIPs, or spec.clusterIP alone when the list is empty (as conversion does upstream).</summary>
    public static IReadOnlyList<string> EffectiveClusterIps(V1ServiceSpec spec) =>
        spec.ClusterIPs is { Count: > 0 } list ? list.ToList()
        : string.IsNullOrEmpty(spec.ClusterIP) ? [] : [spec.ClusterIP];

    private static void ValidatePort(V1ServicePort port, bool requireName, HashSet<string> names, string at, List<FieldError> errors)
    {
        if (requireName && string.IsNullOrEmpty(port.Name))
        {
            errors.Add(FieldError.Required(at + ".name"));
        }
        else if (!string.IsNullOrEmpty(port.Name))
        {
            PodSpecValidator.Dns1123Label(port.Name, at + ".name", errors);
            if (!names.Add(port.Name))
            {
                errors.Add(FieldError.Duplicate(at + ".name", port.Name));
            }
        }
        foreach (var msg in ValueFormats.IsValidPortNum(port.Port))
        {
            errors.Add(FieldError.Invalid(at + ".port", port.Port, msg));
        }
        PodSpecValidator.Enumerated(port.Protocol, PodSpecValidator.Protocols, at + ".protocol", errors);
        ValidatePortNumOrName(port.TargetPort?.Value, at + ".targetPort", errors);
        if (port.AppProtocol is not null)
        {
            MetadataValidator.ValidateQualifiedName(port.AppProtocol, at + ".appProtocol", errors);
        }
    }

    /// <summary>A number must be a valid port, a name an IANA_SVC_NAME; null or "" is left to defaulting.</summary>
    public static void ValidatePortNumOrName(string? value, string path, List<FieldError> errors)
    {
        if (string.IsNullOrEmpty(value))
        {
            return;
        }
        if (long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number))
        {
            foreach (var msg in ValueFormats.IsValidPortNum(number))
            {
                errors.Add(FieldError.Invalid(path, number, msg));
            }
            return;
        }
        foreach (var msg in ValueFormats.IsValidPortName(value))
        {
            errors.Add(FieldError.Invalid(path, value, msg));
        }
    }

    private static void ValidateClusterIps(V1ServiceSpec spec, List<FieldError> errors)
    {
        var ips = EffectiveClusterIps(spec);
        if (spec.ClusterIPs is { Count: > 0 } && !string.IsNullOrEmpty(spec.ClusterIP) && spec.ClusterIPs[0] != spec.ClusterIP)
        {
            errors.Add(FieldError.InvalidLiteral("spec.clusterIPs", GoText.StringSlice(spec.ClusterIPs), "first value must match `clusterIP`"));
            return;
        }
        for (var i = 0; i < ips.Count; i++)
        {
            if (i == 0 && ips[i] == "None")
            {
                if (ips.Count > 1)
                {
                    errors.Add(FieldError.InvalidLiteral("spec.clusterIPs", GoText.StringSlice(ips), "'None' must be the first and only value"));
                }
                continue;
            }
            foreach (var msg in ValueFormats.IsValidIp(ips[i]))
            {
                errors.Add(FieldError.Invalid($"spec.clusterIPs[{i}]", ips[i], msg));
            }
        }
    }

    private static void ValidateNodePorts(V1ServiceSpec spec, IList<V1ServicePort> ports, List<FieldError> errors)
    {
        var seen = new HashSet<(string?, int)>();
        for (var i = 0; i < ports.Count; i++)
        {
            if (ports[i].NodePort is not { } nodePort || nodePort == 0)
            {
                continue;
            }
            if (spec.Type == "ClusterIP")
            {
                errors.Add(FieldError.Forbidden($"spec.ports[{i}].nodePort", "may not be used when `type` is 'ClusterIP'"));
            }
            if (!seen.Add((ports[i].Protocol, nodePort)))
            {
                errors.Add(FieldError.Duplicate($"spec.ports[{i}].nodePort", nodePort));
            }
        }
    }

    private static void ValidateTrafficPolicies(V1ServiceSpec spec, List<FieldError> errors)
    {
        var external = spec.Type is "NodePort" or "LoadBalancer" || (spec.Type == "ClusterIP" && spec.ExternalIPs is { Count: > 0 });
        if (!string.IsNullOrEmpty(spec.ExternalTrafficPolicy))
        {
            if (!external)
            {
                errors.Add(FieldError.Invalid("spec.externalTrafficPolicy", spec.ExternalTrafficPolicy, "may only be set for externally-accessible services"));
            }
            else if (!TrafficPolicies.Contains(spec.ExternalTrafficPolicy, StringComparer.Ordinal))
            {
                errors.Add(FieldError.NotSupported("spec.externalTrafficPolicy", spec.ExternalTrafficPolicy, TrafficPolicies));
            }
        }
        if (!string.IsNullOrEmpty(spec.InternalTrafficPolicy) && !TrafficPolicies.Contains(spec.InternalTrafficPolicy, StringComparer.Ordinal))
        {
            errors.Add(FieldError.NotSupported("spec.internalTrafficPolicy", spec.InternalTrafficPolicy, TrafficPolicies));
        }
    }

    // Upstream reports the (protocol, port) key struct with Go's %#v.
    private static void ValidateDuplicatePorts(IList<V1ServicePort> ports, List<FieldError> errors)
    {
        var seen = new HashSet<(string?, int)>();
        for (var i = 0; i < ports.Count; i++)
        {
            if (!seen.Add((ports[i].Protocol, ports[i].Port)))
            {
                var key = $"core.ServicePort{{Name:\"\", Protocol:{GoText.Quote(ports[i].Protocol ?? "")}, AppProtocol:(*string)(nil), "
                    + $"Port:{ports[i].Port}, TargetPort:intstr.IntOrString{{Type:0, IntVal:0, StrVal:\"\"}}, NodePort:0}}";
                errors.Add(new FieldError(FieldErrorType.Duplicate, $"spec.ports[{i}]", "", key) { BadValueIsLiteral = true });
            }
        }
    }
}
