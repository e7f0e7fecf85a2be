using k8s.Models;

namespace Navarch.Agent.Probes;

/// <summary>Resolves a probe's port, a number or the name of one of the container's ports, as upstream does.</summary>
public static class ProbePort
{
    /// <summary>The port number, or null with <paramref name="error"/> set when it names no port of the container or is out of range.</summary>
    public static int? Resolve(IntOrString? port, V1Container container, out string error)
    {
        error = "";
        var value = port?.Value ?? "";
        if (int.TryParse(value, out var number))
        {
            if (number is > 0 and < 65536) return number;
            error = $"invalid port number: {number}";
            return null;
        }
        var named = container.Ports?.FirstOrDefault(p => p.Name == value);
        if (named is not null) return named.ContainerPort;
        error = $"couldn't find port: {value} in container {container.Name}";
        return null;
    }
}
