using Google.Protobuf.Collections;
using V1 = Navarch.Cri.V1;

namespace Navarch.Cri;

/// <summary>Converts between the agent's runtime model and the CRI messages; pure functions, no I/O.</summary>
internal static class CriMapping
{
    public static V1.PodSandboxConfig ToCri(SandboxSpec spec)
    {
        var config = new V1.PodSandboxConfig
        {
            Metadata = new V1.PodSandboxMetadata { Name = spec.Name, Namespace = spec.Namespace, Uid = spec.Uid, Attempt = (uint)spec.Attempt },
            Hostname = spec.Hostname,
            LogDirectory = spec.LogDirectory,
            Linux = new V1.LinuxPodSandboxConfig
            {
                CgroupParent = spec.CgroupParent,
                SecurityContext = new V1.LinuxSandboxSecurityContext
                {
                    NamespaceOptions = new V1.NamespaceOption { Network = V1.NamespaceMode.Pod, Pid = V1.NamespaceMode.Container, Ipc = V1.NamespaceMode.Pod },
                },
            },
        };
        if (spec.Dns is { } dns)
        {
            config.DnsConfig = new V1.DNSConfig();
            config.DnsConfig.Servers.AddRange(dns.Servers);
            config.DnsConfig.Searches.AddRange(dns.Searches);
            config.DnsConfig.Options.AddRange(dns.Options);
        }
        foreach (var port in spec.PortMappings)
            config.PortMappings.Add(new V1.PortMapping { Protocol = ToCri(port.Protocol), ContainerPort = port.ContainerPort, HostPort = port.HostPort, HostIp = port.HostIp });
        AddAll(config.Labels, spec.Labels);
        AddAll(config.Annotations, spec.Annotations);
        return config;
    }

    public static V1.ContainerConfig ToCri(ContainerSpec spec)
    {
        var config = new V1.ContainerConfig
        {
            Metadata = new V1.ContainerMetadata { Name = spec.Name, Attempt = (uint)spec.Attempt },
            Image = new V1.ImageSpec { Image = spec.Image },
            WorkingDir = spec.WorkingDir,
            LogPath = spec.LogPath,
            Tty = spec.Tty,
            Stdin = spec.Stdin,
            StdinOnce = spec.StdinOnce,
            Linux = new V1.LinuxContainerConfig { SecurityContext = new V1.LinuxContainerSecurityContext() },
        };
        config.Command.AddRange(spec.Command);
        config.Args.AddRange(spec.Args);
        foreach (var (key, value) in spec.Env)
            config.Envs.Add(new V1.KeyValue { Key = key, Value = value });
        foreach (var mount in spec.Mounts)
            config.Mounts.Add(new V1.Mount { ContainerPath = mount.ContainerPath, HostPath = mount.HostPath, Readonly = mount.ReadOnly });
        AddAll(config.Labels, spec.Labels);
        AddAll(config.Annotations, spec.Annotations);
        if (spec.Resources is { } r)
            config.Linux.Resources = new V1.LinuxContainerResources { CpuShares = r.CpuShares, CpuPeriod = r.CpuPeriod, CpuQuota = r.CpuQuota, MemoryLimitInBytes = r.MemoryLimitBytes };
        return config;
    }

    public static V1.ContainerFilter ToCri(ContainerFilter filter)
    {
        var cri = new V1.ContainerFilter { PodSandboxId = filter.SandboxId ?? "" };
        if (filter.State is { } state) cri.State = new V1.ContainerStateValue { State = ToCri(state) };
        if (filter.Labels is not null) AddAll(cri.LabelSelector, filter.Labels);
        return cri;
    }

    public static SandboxInfo FromCri(V1.PodSandbox s) =>
        Sandbox(s.Id, s.Metadata, s.State, s.CreatedAt, s.Labels, s.Annotations);

    public static SandboxStatus FromCri(V1.PodSandboxStatus s) =>
        new(Sandbox(s.Id, s.Metadata, s.State, s.CreatedAt, s.Labels, s.Annotations))
        {
            Ip = s.Network?.Ip ?? "",
            AdditionalIps = s.Network?.AdditionalIps.Select(ip => ip.Ip).ToArray() ?? [],
        };

    public static ContainerInfo FromCri(V1.Container c) =>
        Container(c.Id, c.PodSandboxId, c.Metadata, c.State, c.Image, c.ImageRef, c.CreatedAt, c.Labels, c.Annotations);

    /// <summary>CRI's ContainerStatus lacks the sandbox id; the caller passes it from the labels or a listing.</summary>
    public static ContainerStatus FromCri(V1.ContainerStatus c, string sandboxId) =>
        new(Container(c.Id, sandboxId, c.Metadata, c.State, c.Image, c.ImageRef, c.CreatedAt, c.Labels, c.Annotations))
        {
            StartedAt = FromNanos(c.StartedAt),
            FinishedAt = FromNanos(c.FinishedAt),
            ExitCode = c.ExitCode,
            Reason = c.Reason,
            Message = c.Message,
            LogPath = c.LogPath,
        };

    // The fields a listing and a status of CRI share, mapped once.
    private static SandboxInfo Sandbox(string id, V1.PodSandboxMetadata? meta, V1.PodSandboxState state, long createdAt,
        MapField<string, string> labels, MapField<string, string> annotations) => new()
    {
        Id = id,
        Name = meta?.Name ?? "",
        Namespace = meta?.Namespace ?? "",
        Uid = meta?.Uid ?? "",
        Attempt = (int)(meta?.Attempt ?? 0),
        State = FromCri(state),
        CreatedAt = FromNanos(createdAt) ?? DateTimeOffset.UnixEpoch,
        Labels = Copy(labels),
        Annotations = Copy(annotations),
    };

    private static ContainerInfo Container(string id, string sandboxId, V1.ContainerMetadata? meta, V1.ContainerState state,
        V1.ImageSpec? image, string imageRef, long createdAt, MapField<string, string> labels, MapField<string, string> annotations) => new()
    {
        Id = id,
        SandboxId = sandboxId,
        Name = meta?.Name ?? "",
        Attempt = (int)(meta?.Attempt ?? 0),
        State = FromCri(state),
        Image = image?.Image ?? "",
        ImageRef = imageRef,
        CreatedAt = FromNanos(createdAt) ?? DateTimeOffset.UnixEpoch,
        Labels = Copy(labels),
        Annotations = Copy(annotations),
    };

    public static ImageInfo FromCri(V1.Image i) => new(i.Id, i.RepoTags.ToArray(), i.RepoDigests.ToArray(), i.Size);

    /// <summary>CRI times are nanoseconds since the Unix epoch; 0 means "never".</summary>
    public static DateTimeOffset? FromNanos(long nanos) =>
        nanos <= 0 ? null : DateTimeOffset.UnixEpoch.AddTicks(nanos / (1_000_000 / TimeSpan.TicksPerMillisecond));

    public static V1.Protocol ToCri(PortProtocol p) => p switch
    {
        PortProtocol.Udp => V1.Protocol.Udp,
        PortProtocol.Sctp => V1.Protocol.Sctp,
        _ => V1.Protocol.Tcp,
    };

    public static V1.ContainerState ToCri(ContainerState s) => s switch
    {
        ContainerState.Created => V1.ContainerState.ContainerCreated,
        ContainerState.Running => V1.ContainerState.ContainerRunning,
        ContainerState.Exited => V1.ContainerState.ContainerExited,
        _ => V1.ContainerState.ContainerUnknown,
    };

    public static ContainerState FromCri(V1.ContainerState s) => s switch
    {
        V1.ContainerState.ContainerCreated => ContainerState.Created,
        V1.ContainerState.ContainerRunning => ContainerState.Running,
        V1.ContainerState.ContainerExited => ContainerState.Exited,
        _ => ContainerState.Unknown,
    };

    public static SandboxState FromCri(V1.PodSandboxState s) =>
        s == V1.PodSandboxState.SandboxReady ? SandboxState.Ready : SandboxState.NotReady;

    public static void AddAll(MapField<string, string> target, IReadOnlyDictionary<string, string> source)
    {
        foreach (var (key, value) in source) target[key] = value;
    }

    private static Dictionary<string, string> Copy(MapField<string, string> map) => new(map);
}
