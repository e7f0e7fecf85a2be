using k8s.Models;

namespace Navarch.Api.Defaulting;

/// <summary>Endpoints and EndpointSlices: port protocol TCP (and an empty slice port name).</summary>
public static class EndpointDefaults
{
    public static void Apply(V1Endpoints ep)
    {
        foreach (var port in (ep.Subsets ?? []).SelectMany(s => s.Ports ?? []))
        {
            if (string.IsNullOrEmpty(port.Protocol))
            {
                port.Protocol = "TCP";
            }
        }
    }

    public static void Apply(V1EndpointSlice slice)
    {
        foreach (var port in slice.Ports ?? [])
        {
            port.Name ??= "";
            port.Protocol ??= "TCP";
        }
    }
}
