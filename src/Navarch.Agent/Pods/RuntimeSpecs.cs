using System.Globalization;
using k8s.Models;
using Navarch.Cri;

namespace Navarch.Agent.Pods;

/// <summary>Turns a pod and its containers into the runtime's sandbox and container specs, as upstream's kubelet does.</summary>
public static class RuntimeSpecs
{
    /// <summary>Longest hostname the kernel takes.</summary>
    private const int MaxHostnameLength = 63;

    /// <summary>The labels that tie runtime objects to <paramref name="pod"/> (pod UID, name, namespace, managed-by).</summary>
    public static Dictionary<string, string> PodLabels(V1Pod pod) => new(StringComparer.Ordinal)
    {
        [RuntimeLabels.PodUid] = pod.Metadata.Uid,
        [RuntimeLabels.PodName] = pod.Metadata.Name,
        [RuntimeLabels.PodNamespace] = pod.Metadata.NamespaceProperty ?? "default",
        [RuntimeLabels.ManagedBy] = RuntimeLabels.ManagedByAgent,
    };

    /// <summary>The directory of a pod's container logs: <c>LOGROOT/NS_NAME_UID</c>; empty when <paramref name="logRoot"/> is (no logs kept).</summary>
    public static string LogDirectory(string logRoot, V1Pod pod) =>
        LogDirectory(logRoot, pod.Metadata.NamespaceProperty ?? "default", pod.Metadata.Name, pod.Metadata.Uid);

    /// <summary>The directory of a pod's container logs from its identity; empty when <paramref name="logRoot"/> is.</summary>
    public static string LogDirectory(string logRoot, string podNamespace, string podName, string podUid) =>
        string.IsNullOrEmpty(logRoot) ? "" : Path.Combine(logRoot, $"{podNamespace}_{podName}_{podUid}");

    /// <summary>The sandbox spec of <paramref name="pod"/>; the same pod and attempt always give an equal spec (so it can be rebuilt after a restart).</summary>
    public static SandboxSpec Sandbox(V1Pod pod, int attempt, DnsSpec dns, string logRoot, string cgroupRoot, ClusterDnsSettings? clusterDns = null)
    {
        var spec = pod.Spec;
        var hostname = string.IsNullOrEmpty(spec.Hostname) ? pod.Metadata.Name : spec.Hostname;
        if (hostname.Length > MaxHostnameLength) hostname = hostname[..MaxHostnameLength].TrimEnd('-', '.');
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in pod.Metadata.Labels ?? new Dictionary<string, string>()) labels[k] = v;
        foreach (var (k, v) in PodLabels(pod)) labels[k] = v;
        var annotations = new Dictionary<string, string>(pod.Metadata.Annotations ?? new Dictionary<string, string>(), StringComparer.Ordinal)
        {
            [RuntimeLabels.PodTerminationGracePeriod] = (spec.TerminationGracePeriodSeconds ?? 30).ToString(CultureInfo.InvariantCulture),
        };
        return new SandboxSpec
        {
            Name = pod.Metadata.Name,
            Namespace = pod.Metadata.NamespaceProperty ?? "default",
            Uid = pod.Metadata.Uid,
            Attempt = attempt,
            Hostname = hostname,
            LogDirectory = LogDirectory(logRoot, pod),
            Dns = PodDns.For(pod, dns, clusterDns),
            PortMappings = PortMappings(spec),
            Labels = labels,
            Annotations = annotations,
            CgroupParent = string.IsNullOrEmpty(cgroupRoot) ? "" : $"{cgroupRoot.TrimEnd('/')}/pod{pod.Metadata.Uid}",
        };
    }

    /// <summary>Every container port with a hostPort, as the sandbox's port mappings.</summary>
    public static IReadOnlyList<PortMapping> PortMappings(V1PodSpec spec) =>
        (spec.Containers ?? []).SelectMany(c => c.Ports ?? [])
            .Where(p => p.HostPort is > 0)
            .Select(p => new PortMapping(Protocol(p.Protocol), p.ContainerPort, p.HostPort!.Value, p.HostIP ?? ""))
            .ToList();

    /// <summary>The container spec of <paramref name="container"/> for its <paramref name="restartCount"/>-th start.</summary>
    public static ContainerSpec Container(V1Pod pod, V1Container container, int restartCount, IReadOnlyList<KeyValuePair<string, string>> env)
    {
        var labels = PodLabels(pod);
        labels[RuntimeLabels.ContainerName] = container.Name;
        return new ContainerSpec
        {
            Name = container.Name,
            Attempt = restartCount,
            Image = container.Image,
            Command = ContainerEnvironment.ExpandAll(container.Command, env),
            Args = ContainerEnvironment.ExpandAll(container.Args, env),
            WorkingDir = container.WorkingDir ?? "",
            Env = env,
            Labels = labels,
            Annotations = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                [RuntimeLabels.ContainerRestartCount] = restartCount.ToString(CultureInfo.InvariantCulture),
            },
            LogPath = Path.Combine(container.Name, $"{restartCount}.log"),
            Resources = Resources(container.Resources),
            Tty = container.Tty == true,
            Stdin = container.Stdin == true,
            StdinOnce = container.StdinOnce == true,
        };
    }

    /// <summary>Cgroup limits from requests and limits; a CPU request defaults to the CPU limit as the API's defaulting does.</summary>
    public static LinuxResources Resources(V1ResourceRequirements? resources)
    {
        var cpuLimit = Milli(resources?.Limits, "cpu");
        var cpuRequest = Milli(resources?.Requests, "cpu");
        if (cpuRequest == 0) cpuRequest = cpuLimit;
        var memory = resources?.Limits?.TryGetValue("memory", out var m) == true ? (long)m.ToDecimal() : 0;
        return LinuxResources.FromKubernetes(cpuRequest, cpuLimit, memory);
    }

    private static long Milli(IDictionary<string, ResourceQuantity>? list, string name) =>
        list?.TryGetValue(name, out var q) == true ? (long)Math.Ceiling(q.ToDecimal() * 1000) : 0;

    private static PortProtocol Protocol(string? p) => p switch
    {
        "UDP" => PortProtocol.Udp,
        "SCTP" => PortProtocol.Sctp,
        _ => PortProtocol.Tcp,
    };
}
