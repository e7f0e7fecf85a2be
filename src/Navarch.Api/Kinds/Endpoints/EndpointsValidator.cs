using k8s.Models;
using Navarch.Api.Validation;

namespace Navarch.Api.Kinds.Endpoints;

/// <summary>Endpoints: upstream's validateEndpointSubsets (addresses, ports, IP rules).</summary>
public static class EndpointsValidator
{
    public static void Validate(V1Endpoints ep, List<FieldError> errors)
    {
        MetadataValidator.ValidateObjectMeta(ep.Metadata, namespaced: true, NameRules.DnsSubdomain, "metadata", errors);
        var subsets = ep.Subsets ?? [];
        for (var i = 0; i < subsets.Count; i++)
        {
            var ss = subsets[i];
            var at = $"subsets[{i}]";
            if ((ss.Addresses?.Count ?? 0) == 0 && (ss.NotReadyAddresses?.Count ?? 0) == 0)
            {
                errors.Add(FieldError.Required(at, "must specify `addresses` or `notReadyAddresses`"));
            }
            ValidateAddresses(ss.Addresses, at + ".addresses", errors);
            ValidateAddresses(ss.NotReadyAddresses, at + ".notReadyAddresses", errors);
            var ports = ss.Ports ?? [];
            for (var p = 0; p < ports.Count; p++)
            {
                var pat = $"{at}.ports[{p}]";
                if (ports.Count > 1 && string.IsNullOrEmpty(ports[p].Name))
                {
                    errors.Add(FieldError.Required(pat + ".name"));
                }
                else
                {
                    PodSpecValidator.Dns1123Label(ports[p].Name, pat + ".name", errors);
                }
                foreach (var msg in ValueFormats.IsValidPortNum(ports[p].Port))
                {
                    errors.Add(FieldError.Invalid(pat + ".port", ports[p].Port, msg));
                }
                PodSpecValidator.Enumerated(ports[p].Protocol, PodSpecValidator.Protocols, pat + ".protocol", errors);
            }
        }
    }

    private static void ValidateAddresses(IList<V1EndpointAddress>? addresses, string path, List<FieldError> errors)
    {
        for (var i = 0; i < (addresses?.Count ?? 0); i++)
        {
            var address = addresses![i];
            var at = $"{path}[{i}]";
            var ip = address.Ip ?? "";
            var ipErrors = ValueFormats.IsValidIp(ip);
            foreach (var msg in ipErrors)
            {
                errors.Add(FieldError.Invalid(at + ".ip", ip, msg));
            }
            PodSpecValidator.Dns1123Label(address.Hostname, at + ".hostname", errors);
            if (!string.IsNullOrEmpty(address.NodeName))
            {
                foreach (var msg in ValueFormats.IsDns1123Subdomain(address.NodeName))
                {
                    errors.Add(FieldError.Invalid(at + ".nodeName", address.NodeName, msg));
                }
            }
            if (ipErrors.Count == 0 && SpecialIpProblem(ip) is { } problem)
            {
                errors.Add(FieldError.Invalid(at + ".ip", ip, problem));
            }
        }
    }

    /// <summary>Upstream's ValidateNonSpecialIP: endpoints may not point at unspecified, loopback or link-local addresses.</summary>
    public static string? SpecialIpProblem(string value)
    {
        var ip = ValueFormats.ParseIp(value);
        if (ip is null)
        {
            return null;
        }
        if (ip.Equals(System.Net.IPAddress.Any) || ip.Equals(System.Net.IPAddress.IPv6Any))
        {
            return "may not be unspecified (0.0.0.0, ::)";
        }
        if (System.Net.IPAddress.IsLoopback(ip))
        {
            return "may not be in the loopback range (127.0.0.0/8, ::1/128)";
        }
        var bytes = ip.GetAddressBytes();
        if (ip.IsIPv6LinkLocal || (bytes.Length == 4 && bytes[0] == 169 && bytes[1] == 254))
        {
            return "may not be in the link-local range (169.254.0.0/16, fe80::/10)";
        }
        if ((bytes.Length == 4 && bytes[0] == 224 && bytes[1] == 0 && bytes[2] == 0) || (bytes.Length == 16 && bytes[0] == 0xff && bytes[1] == 0x02))
        {
            return "may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)";
        }
        return null;
    }
}
