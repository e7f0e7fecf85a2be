using k8s.Models;
using Navarch.Api.Defaulting;

namespace Navarch.Api.Kinds.Service;

/// <summary>Upstream's SetDefaults_Service.</summary>
public static class ServiceDefaults
{
    public const int DefaultClientIpTimeoutSeconds = 10800;

    public static void Apply(V1Service svc)
    {
        svc.Spec ??= new V1ServiceSpec();
        var spec = svc.Spec;
        if (string.IsNullOrEmpty(spec.SessionAffinity))
        {
            spec.SessionAffinity = "None";
        }
        if (spec.SessionAffinity == "None")
        {
            spec.SessionAffinityConfig = null;
        }
        else if (spec.SessionAffinity == "ClientIP" && spec.SessionAffinityConfig?.ClientIP?.TimeoutSeconds is null)
        {
            spec.SessionAffinityConfig ??= new V1SessionAffinityConfig();
            spec.SessionAffinityConfig.ClientIP ??= new V1ClientIPConfig();
            spec.SessionAffinityConfig.ClientIP.TimeoutSeconds = DefaultClientIpTimeoutSeconds;
        }
        if (string.IsNullOrEmpty(spec.Type))
        {
            spec.Type = "ClusterIP";
        }
        foreach (var port in spec.Ports ?? [])
        {
            if (string.IsNullOrEmpty(port.Protocol))
            {
                port.Protocol = "TCP";
            }
            if (port.TargetPort is null || port.TargetPort.Value is null or "" or "0")
            {
                port.TargetPort = port.Port;
            }
        }
        var externallyAccessible = spec.Type is "NodePort" or "LoadBalancer"
            || (spec.Type == "ClusterIP" && spec.ExternalIPs is { Count: > 0 });
        if (externallyAccessible && string.IsNullOrEmpty(spec.ExternalTrafficPolicy))
        {
            spec.ExternalTrafficPolicy = "Cluster";
        }
        if (string.IsNullOrEmpty(spec.InternalTrafficPolicy) && spec.Type is "ClusterIP" or "NodePort" or "LoadBalancer")
        {
            spec.InternalTrafficPolicy = "Cluster";
        }
        if (spec.Type == "LoadBalancer")
        {
            spec.AllocateLoadBalancerNodePorts ??= true;
        }
    }
}
