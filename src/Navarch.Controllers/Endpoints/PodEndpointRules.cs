using System.Net.Sockets;
using k8s.Models;

namespace Navarch.Controllers.Endpoints;

/// <summary>
/// How a pod becomes an endpoint of a Service, shared by the Endpoints and EndpointSlice controllers
/// (upstream's k8s.io/endpointslice/util and podutil.FindPort).
/// </summary>
public static class PodEndpointRules
{
    /// <summary>True when the pod's Ready condition is True.</summary>
    public static bool IsReady(V1Pod pod) =>
        pod.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true;

    /// <summary>Succeeded or Failed: the pod will never run again.</summary>
    public static bool IsTerminal(V1Pod pod) => pod.Status?.Phase is "Succeeded" or "Failed";

    /// <summary>
    /// A pod is an endpoint when it is not terminal, has an IP, and is not being deleted (unless
    /// <paramref name="includeTerminating"/>).
    /// </summary>
    public static bool ShouldBeEndpoint(V1Pod pod, bool includeTerminating)
    {
        if (IsTerminal(pod)) return false;
        if (string.IsNullOrEmpty(pod.Status?.PodIP) && (pod.Status?.PodIPs is null || pod.Status.PodIPs.Count == 0)) return false;
        return includeTerminating || pod.Metadata.DeletionTimestamp is null;
    }

    /// <summary>
    /// The pod IP of the Service's (first) IP family: from <c>spec.ipFamilies</c>, else the cluster IP's family,
    /// else (headless) the pod IP's. Null when the pod has no IP of that family.
    /// </summary>
    public static string? AddressFor(V1Service service, V1Pod pod)
    {
        var ips = pod.Status?.PodIPs?.Select(p => p.Ip).Where(ip => !string.IsNullOrEmpty(ip)).ToList() ?? [];
        if (ips.Count == 0 && !string.IsNullOrEmpty(pod.Status?.PodIP)) ips.Add(pod.Status.PodIP);
        bool wantV6;
        if (service.Spec?.IpFamilies is { Count: > 0 } families) wantV6 = families[0] == "IPv6";
        else if (IsServiceIpSet(service)) wantV6 = IsV6(service.Spec!.ClusterIP);
        else wantV6 = ips.Count > 0 && IsV6(ips[0]);
        return ips.FirstOrDefault(ip => IsV6(ip) == wantV6);
    }

    /// <summary>A Service has a virtual IP unless it is headless (<c>None</c>) or has none yet.</summary>
    public static bool IsServiceIpSet(V1Service service) =>
        !string.IsNullOrEmpty(service.Spec?.ClusterIP) && service.Spec.ClusterIP != "None";

    /// <summary>The pod's hostname is published when the pod names the Service as its subdomain.</summary>
    public static bool ShouldSetHostname(V1Pod pod, V1Service service) =>
        !string.IsNullOrEmpty(pod.Spec?.Hostname) && pod.Spec.Subdomain == service.Metadata.Name
        && pod.Metadata.NamespaceProperty == service.Metadata.NamespaceProperty;

    /// <summary>
    /// The container port a Service port reaches on this pod: a numeric targetPort as is, a named one looked up
    /// among the pod's container ports (same name and protocol). Null when the pod has no such port.
    /// </summary>
    public static int? FindPort(V1Pod pod, V1ServicePort servicePort)
    {
        var target = servicePort.TargetPort?.Value;
        if (string.IsNullOrEmpty(target)) return servicePort.Port;
        if (int.TryParse(target, out var number)) return number;
        var protocol = servicePort.Protocol ?? "TCP";
        var containers = (pod.Spec?.Containers ?? []).Concat(pod.Spec?.InitContainers?.Where(c => c.RestartPolicy == "Always") ?? []);
        foreach (var container in containers)
            foreach (var port in container.Ports ?? [])
                if (port.Name == target && (port.Protocol ?? "TCP") == protocol) return port.ContainerPort;
        return null;
    }

    private static bool IsV6(string ip) =>
        System.Net.IPAddress.TryParse(ip, out var a) && a.AddressFamily == AddressFamily.InterNetworkV6;
}
