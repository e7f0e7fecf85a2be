namespace Navarch.Cri;

/// <summary>
/// The agent's view of a container runtime: pod sandboxes, containers and images, as CRI defines them.
/// Every member throws <see cref="RuntimeException"/> (and only that) on failure; none retries — the pod
/// sync loop does. Implementations are safe to call concurrently.
/// </summary>
public interface ICriRuntime
{
    /// <summary>The runtime's name and version. Throws Unavailable if the runtime cannot be reached.</summary>
    Task<RuntimeVersion> VersionAsync(CancellationToken cancellationToken);

    /// <summary>The runtime's conditions (<c>RuntimeReady</c>, <c>NetworkReady</c>).</summary>
    Task<RuntimeHealth> StatusAsync(CancellationToken cancellationToken);

    /// <summary>Tells the runtime the node's pod CIDR (CRI UpdateRuntimeConfig); runtimes whose CNI config carries the range ignore it.</summary>
    Task UpdatePodCidrAsync(string podCidr, CancellationToken cancellationToken);

    /// <summary>
    /// Creates and starts a pod sandbox (network namespace with an IP, hostname, DNS, host ports) and returns
    /// its id. A runtime refuses a second live sandbox with the same name, namespace,
    /// UID and attempt: bump <see cref="SandboxSpec.Attempt"/> for a new one.
    /// </summary>
    Task<string> RunSandboxAsync(SandboxSpec spec, CancellationToken cancellationToken);

    /// <summary>Stops a sandbox and every container in it (forcibly) and tears down its network. Stopping a stopped or missing sandbox succeeds.</summary>
    Task StopSandboxAsync(string sandboxId, CancellationToken cancellationToken);

    /// <summary>Removes a sandbox and its containers (stopping them first). Removing a missing sandbox succeeds.</summary>
    Task RemoveSandboxAsync(string sandboxId, CancellationToken cancellationToken);

    /// <summary>A sandbox's status with its IP. Throws NotFound if it does not exist.</summary>
    Task<SandboxStatus> SandboxStatusAsync(string sandboxId, CancellationToken cancellationToken);

    /// <summary>Sandboxes carrying all of <paramref name="labels"/> (all sandboxes if null), ready or not.</summary>
    Task<IReadOnlyList<SandboxInfo>> ListSandboxesAsync(IReadOnlyDictionary<string, string>? labels, CancellationToken cancellationToken);

    /// <summary>
    /// Creates a container in a sandbox from <paramref name="spec"/> and returns its id; the image must be
    /// present. <paramref name="sandbox"/> is the spec the sandbox was run with (the runtime reads the log
    /// directory from it). Container ports are not passed: host ports are the sandbox's
    /// <see cref="SandboxSpec.PortMappings"/>.
    /// </summary>
    Task<string> CreateContainerAsync(string sandboxId, ContainerSpec spec, SandboxSpec sandbox, CancellationToken cancellationToken);

    /// <summary>Starts a created container. Throws if it is not in state Created.</summary>
    Task StartContainerAsync(string containerId, CancellationToken cancellationToken);

    /// <summary>
    /// Stops a container: its stop signal, then SIGKILL after <paramref name="gracePeriod"/> (zero: SIGKILL at
    /// once). Returns once it has exited. Stopping an exited container succeeds.
    /// </summary>
    Task StopContainerAsync(string containerId, TimeSpan gracePeriod, CancellationToken cancellationToken);

    /// <summary>Removes a container (killing it if it runs). Removing a missing container succeeds.</summary>
    Task RemoveContainerAsync(string containerId, CancellationToken cancellationToken);

    /// <summary>Containers matching <paramref name="filter"/> (all if null).</summary>
    Task<IReadOnlyList<ContainerInfo>> ListContainersAsync(ContainerFilter? filter, CancellationToken cancellationToken);

    /// <summary>A container's status: state, times, exit code, reason, image ref, log path. Throws NotFound if it does not exist.</summary>
    Task<ContainerStatus> ContainerStatusAsync(string containerId, CancellationToken cancellationToken);

    /// <summary>
    /// Runs <paramref name="command"/> in a running container to completion and returns its exit code and
    /// output (exec probes). Throws DeadlineExceeded if it runs longer than <paramref name="timeout"/>
    /// (zero: no limit of its own).
    /// </summary>
    Task<ExecResult> ExecSyncAsync(string containerId, IReadOnlyList<string> command, TimeSpan timeout, CancellationToken cancellationToken);

    /// <summary>
    /// Prepares an interactive exec (kubectl exec), or with no command an attach to the main process (kubectl attach),
    /// and returns the runtime's streaming URL for it. Optional: may throw Unimplemented.
    /// </summary>
    Task<Uri> ExecStreamAsync(ExecStreamRequest request, CancellationToken cancellationToken);

    /// <summary>
    /// Prepares a port forward into a sandbox's network namespace and returns the runtime's streaming URL for it
    /// (kubectl port-forward; the ports travel in the streams' headers). Optional: may throw Unimplemented.
    /// </summary>
    Task<Uri> PortForwardStreamAsync(string sandboxId, IReadOnlyList<int> ports, CancellationToken cancellationToken);

    /// <summary>Makes the runtime reopen a container's log file (after the agent rotated it).</summary>
    Task ReopenContainerLogAsync(string containerId, CancellationToken cancellationToken);

    /// <summary>The image <paramref name="image"/> names, or null if the runtime does not have it.</summary>
    Task<ImageInfo?> ImageStatusAsync(string image, CancellationToken cancellationToken);

    /// <summary>Pulls an image from its registry and returns its reference (id or digest). Throws if unreachable or unknown.</summary>
    Task<string> PullImageAsync(string image, CancellationToken cancellationToken);

    /// <summary>Every image the runtime holds.</summary>
    Task<IReadOnlyList<ImageInfo>> ListImagesAsync(CancellationToken cancellationToken);

    /// <summary>Removes an image. Removing a missing image succeeds.</summary>
    Task RemoveImageAsync(string image, CancellationToken cancellationToken);

    /// <summary>
    /// Makes sure an image is present (status, then a pull only if missing — offline nodes hold their images
    /// locally) and returns its id. Pull errors pass through.
    /// </summary>
    async Task<string> EnsureImageAsync(string image, CancellationToken cancellationToken)
    {
        var present = await ImageStatusAsync(image, cancellationToken).ConfigureAwait(false);
        return present?.Id ?? await PullImageAsync(image, cancellationToken).ConfigureAwait(false);
    }
}
