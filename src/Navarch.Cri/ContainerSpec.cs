namespace Navarch.Cri;

/// <summary>What a container should run: image, process, environment, mounts, limits and log file.</summary>
public sealed record ContainerSpec
{
    /// <summary>The container's name within its pod.</summary>
    public required string Name { get; init; }

    /// <summary>How many times this container was started before in this sandbox (the restart count).</summary>
    public int Attempt { get; init; }

    /// <summary>The image reference as the pod names it; make sure it is present first (<see cref="ICriRuntime.EnsureImageAsync"/>).</summary>
    public required string Image { get; init; }

    /// <summary>The entrypoint; empty for the image's.</summary>
    public IReadOnlyList<string> Command { get; init; } = [];

    /// <summary>The arguments; empty for the image's.</summary>
    public IReadOnlyList<string> Args { get; init; } = [];

    /// <summary>The working directory; empty for the image's.</summary>
    public string WorkingDir { get; init; } = "";

    /// <summary>Environment variables in order (later ones may refer to earlier ones; the caller expands <c>$(VAR)</c>).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Env { get; init; } = [];

    /// <summary>Host paths mounted into the container.</summary>
    public IReadOnlyList<MountSpec> Mounts { get; init; } = [];

    /// <summary>Labels; include <see cref="RuntimeLabels.PodUid"/> and <see cref="RuntimeLabels.ContainerName"/>.</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    /// <summary>Annotations (e.g. <see cref="RuntimeLabels.ContainerRestartCount"/>).</summary>
    public IReadOnlyDictionary<string, string> Annotations { get; init; } = new Dictionary<string, string>();

    /// <summary>Log file path relative to the sandbox's <see cref="SandboxSpec.LogDirectory"/> (upstream: <c>NAME/ATTEMPT.log</c>).</summary>
    public string LogPath { get; init; } = "";

    /// <summary>Cgroup limits, or null for none.</summary>
    public LinuxResources? Resources { get; init; }

    /// <summary>Whether the container gets a terminal.</summary>
    public bool Tty { get; init; }

    /// <summary>Whether the container keeps stdin open.</summary>
    public bool Stdin { get; init; }

    /// <summary>Whether stdin closes after the first attach ends (kubectl run -i --rm).</summary>
    public bool StdinOnce { get; init; }
}

/// <summary>A host path mounted into a container.</summary>
public sealed record MountSpec(string ContainerPath, string HostPath, bool ReadOnly = false);
