using k8s.Models;

namespace Navarch.Api.Defaulting;

/// <summary>Upstream's SetDefaults_Pod/PodSpec/Container plus the Priority and DefaultTolerationSeconds admission defaults.</summary>
public static class PodDefaults
{
    public const long DefaultTerminationGracePeriodSeconds = 30;
    public const string DefaultSchedulerName = "default-scheduler";
    public const long DefaultTolerationSeconds = 300;
    public const string NotReadyTaint = "node.kubernetes.io/not-ready";
    public const string UnreachableTaint = "node.kubernetes.io/unreachable";

    /// <summary>Defaults of a pod object (spec, admission defaults and initial status).</summary>
    public static void ApplyPod(V1Pod pod)
    {
        pod.Spec ??= new V1PodSpec();
        var spec = pod.Spec;
        foreach (var container in (spec.Containers ?? []).Concat(spec.InitContainers ?? []))
        {
            RequestsFromLimits(container);
        }
        spec.EnableServiceLinks ??= true;
        if (spec.HostNetwork == true)
        {
            foreach (var port in (spec.Containers ?? []).Concat(spec.InitContainers ?? []).SelectMany(c => c.Ports ?? []))
            {
                if (port.HostPort is null or 0)
                {
                    port.HostPort = port.ContainerPort;
                }
            }
        }
        ApplySpec(spec);
        // The Priority admission plugin: no class and no global default means priority 0.
        spec.Priority ??= 0;
        spec.PreemptionPolicy ??= "PreemptLowerPriority";
        AddDefaultTolerations(spec);
        pod.Status ??= new V1PodStatus();
        pod.Status.Phase ??= "Pending";
        pod.Status.QosClass ??= PodQos.Compute(spec);
    }

    /// <summary>Defaults of a pod spec, also used for pod templates.</summary>
    public static void ApplySpec(V1PodSpec spec)
    {
        if (string.IsNullOrEmpty(spec.DnsPolicy))
        {
            spec.DnsPolicy = "ClusterFirst";
        }
        if (string.IsNullOrEmpty(spec.RestartPolicy))
        {
            spec.RestartPolicy = "Always";
        }
        spec.SecurityContext ??= new V1PodSecurityContext();
        spec.TerminationGracePeriodSeconds ??= DefaultTerminationGracePeriodSeconds;
        if (string.IsNullOrEmpty(spec.SchedulerName))
        {
            spec.SchedulerName = DefaultSchedulerName;
        }
        foreach (var container in (spec.Containers ?? []).Concat(spec.InitContainers ?? []))
        {
            ApplyContainer(container);
        }
    }

    private static void ApplyContainer(V1Container container)
    {
        if (string.IsNullOrEmpty(container.ImagePullPolicy))
        {
            container.ImagePullPolicy = ImageReference.Tag(container.Image) == "latest" ? "Always" : "IfNotPresent";
        }
        if (string.IsNullOrEmpty(container.TerminationMessagePath))
        {
            container.TerminationMessagePath = "/dev/termination-log";
        }
        if (string.IsNullOrEmpty(container.TerminationMessagePolicy))
        {
            container.TerminationMessagePolicy = "File";
        }
        // Go serializes the non-pointer resources struct as {} even when empty.
        container.Resources ??= new V1ResourceRequirements();
        foreach (var port in container.Ports ?? [])
        {
            if (string.IsNullOrEmpty(port.Protocol))
            {
                port.Protocol = "TCP";
            }
        }
        foreach (var probe in new[] { container.LivenessProbe, container.ReadinessProbe, container.StartupProbe })
        {
            ApplyProbe(probe);
        }
        foreach (var env in container.Env ?? [])
        {
            if (env.ValueFrom?.FieldRef is { } fieldRef && string.IsNullOrEmpty(fieldRef.ApiVersion))
            {
                fieldRef.ApiVersion = "v1";
            }
        }
    }

    private static void ApplyProbe(V1Probe? probe)
    {
        if (probe is null)
        {
            return;
        }
        probe.TimeoutSeconds ??= 1;
        probe.PeriodSeconds ??= 10;
        probe.SuccessThreshold ??= 1;
        probe.FailureThreshold ??= 3;
        if (probe.HttpGet is { } get)
        {
            if (string.IsNullOrEmpty(get.Path))
            {
                get.Path = "/";
            }
            if (string.IsNullOrEmpty(get.Scheme))
            {
                get.Scheme = "HTTP";
            }
        }
    }

    private static void RequestsFromLimits(V1Container container)
    {
        if (container.Resources?.Limits is not { } limits)
        {
            return;
        }
        container.Resources.Requests ??= new Dictionary<string, ResourceQuantity>();
        foreach (var (name, quantity) in limits)
        {
            container.Resources.Requests.TryAdd(name, new ResourceQuantity(quantity.ToString()));
        }
    }

    // A toleration with an empty key tolerates every taint; one with an empty effect every effect.
    private static void AddDefaultTolerations(V1PodSpec spec)
    {
        var tolerations = spec.Tolerations ?? [];
        bool Tolerates(string key) => tolerations.Any(t =>
            (t.Key == key || string.IsNullOrEmpty(t.Key)) && (t.Effect == "NoExecute" || string.IsNullOrEmpty(t.Effect)));
        var missing = new[] { NotReadyTaint, UnreachableTaint }.Where(k => !Tolerates(k)).ToList();
        if (missing.Count == 0)
        {
            return;
        }
        spec.Tolerations = tolerations.ToList();
        foreach (var key in missing)
        {
            spec.Tolerations.Add(new V1Toleration
            {
                Key = key,
                OperatorProperty = "Exists",
                Effect = "NoExecute",
                TolerationSeconds = DefaultTolerationSeconds,
            });
        }
    }
}
