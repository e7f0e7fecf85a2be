using k8s.Models;
using Navarch.Api.Validation;

namespace Navarch.Api.Kinds.EndpointSlice;

/// <summary>EndpointSlices: addressType, endpoints' addresses and ports, as upstream's discovery validation.</summary>
public static class EndpointSliceValidator
{
    private static readonly string[] AddressTypes = ["FQDN", "IPv4", "IPv6"];
    private const int MaxEndpoints = 1000;
    private const int MaxAddresses = 100;

    public static void Validate(V1EndpointSlice slice, List<FieldError> errors)
    {
        MetadataValidator.ValidateObjectMeta(slice.Metadata, namespaced: true, NameRules.DnsSubdomain, "metadata", errors);
        var endpoints = slice.Endpoints ?? [];
        if (endpoints.Count > MaxEndpoints)
        {
            errors.Add(FieldError.TooMany("endpoints", endpoints.Count, MaxEndpoints));
        }
        for (var i = 0; i < endpoints.Count; i++)
        {
            var at = $"endpoints[{i}]";
            var addresses = endpoints[i].Addresses ?? [];
            if (addresses.Count == 0)
            {
                errors.Add(FieldError.Required(at + ".addresses", "must contain at least 1 address"));
            }
            else if (addresses.Count > MaxAddresses)
            {
                errors.Add(FieldError.TooMany(at + ".addresses", addresses.Count, MaxAddresses));
            }
            for (var a = 0; a < addresses.Count; a++)
            {
                var messages = slice.AddressType switch
                {
                    "IPv4" => ValueFormats.IsValidIpv4(addresses[a]),
                    "IPv6" => ValueFormats.IsValidIpv6(addresses[a]),
                    "FQDN" => ValueFormats.IsDns1123Subdomain(addresses[a]),
                    _ => [],
                };
                foreach (var msg in messages)
                {
                    errors.Add(FieldError.Invalid($"{at}.addresses[{a}]", addresses[a], msg));
                }
            }
            PodSpecValidator.Dns1123Label(endpoints[i].Hostname, at + ".hostname", errors);
        }
        PodSpecValidator.Enumerated(slice.AddressType, AddressTypes, "addressType", errors);
        ValidatePorts(slice.Ports, errors);
    }

    /// <summary>addressType is immutable.</summary>
    public static void ValidateUpdate(V1EndpointSlice slice, V1EndpointSlice old, List<FieldError> errors) =>
        MetadataValidator.Immutable(slice.AddressType, old.AddressType, "addressType", errors);

    private static void ValidatePorts(IList<Discoveryv1EndpointPort>? ports, List<FieldError> errors)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < (ports?.Count ?? 0); i++)
        {
            var port = ports![i];
            var at = $"ports[{i}]";
            var name = port.Name ?? "";
            if (name.Length > 0)
            {
                PodSpecValidator.Dns1123Label(name, at + ".name", errors);
            }
            if (!names.Add(name))
            {
                errors.Add(FieldError.Duplicate(at + ".name", name));
            }
            if (port.Protocol is null)
            {
                errors.Add(FieldError.Required(at + ".protocol"));
            }
            else if (!PodSpecValidator.Protocols.Contains(port.Protocol, StringComparer.Ordinal))
            {
                errors.Add(FieldError.NotSupported(at + ".protocol", port.Protocol, PodSpecValidator.Protocols));
            }
            if (port.AppProtocol is not null)
            {
                MetadataValidator.ValidateQualifiedName(port.AppProtocol, at + ".appProtocol", errors);
            }
        }
    }
}
