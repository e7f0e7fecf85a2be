using Grpc.Core;
using Grpc.Net.Client;
using V1 = Navarch.Cri.V1;

namespace Navarch.Cri;

/// <summary>
/// <see cref="ICriRuntime"/> over a CRI runtime's gRPC API (containerd, CRI-O). A thin adapter: one call
/// per member, a deadline on every call, checks on what comes back, no retries. gRPC failures become
/// <see cref="RuntimeException"/> (<see cref="RpcErrors"/>); a cancelled token throws
/// <see cref="OperationCanceledException"/>.
/// </summary>
public sealed class CriRuntime : ICriRuntime, IDisposable
{
    /// <summary>Upstream kubelet's default <c>--runtime-request-timeout</c>.</summary>
    public static readonly TimeSpan DefaultCallTimeout = TimeSpan.FromMinutes(2);

    private readonly GrpcChannel _channel;
    private readonly V1.RuntimeService.RuntimeServiceClient _runtime;
    private readonly V1.ImageService.ImageServiceClient _images;
    private readonly TimeSpan _callTimeout;
    private readonly TimeSpan _pullTimeout;

    /// <summary>Uses <paramref name="channel"/>, which this instance then owns and disposes.</summary>
    /// <param name="channel">A channel to the runtime (see <see cref="RuntimeEndpoint.OpenChannel"/>).</param>
    /// <param name="callTimeout">Deadline of each call; calls that wait on purpose (stop, exec) add their own wait to it.</param>
    /// <param name="pullTimeout">Deadline of an image pull.</param>
    public CriRuntime(GrpcChannel channel, TimeSpan? callTimeout = null, TimeSpan? pullTimeout = null)
    {
        _channel = channel;
        _runtime = new V1.RuntimeService.RuntimeServiceClient(channel);
        _images = new V1.ImageService.ImageServiceClient(channel);
        _callTimeout = callTimeout ?? DefaultCallTimeout;
        _pullTimeout = pullTimeout ?? TimeSpan.FromMinutes(10);
    }

    /// <summary>A runtime at <paramref name="endpoint"/> (<c>unix:///PATH</c>). Connects lazily: the first call fails with Unavailable if nothing listens.</summary>
    public static CriRuntime Connect(string endpoint, TimeSpan? callTimeout = null) =>
        new(RuntimeEndpoint.OpenChannel(RuntimeEndpoint.SocketPath(endpoint)), callTimeout);

    /// <inheritdoc />
    public async Task<RuntimeVersion> VersionAsync(CancellationToken cancellationToken)
    {
        var r = await CallAsync(RuntimeOperation.Version, o => _runtime.VersionAsync(new V1.VersionRequest { Version = "v1" }, o), cancellationToken);
        if (string.IsNullOrEmpty(r.RuntimeName)) throw RpcErrors.BadResponse(RuntimeOperation.Version, "a runtime name");
        return new RuntimeVersion(r.RuntimeName, r.RuntimeVersion, r.RuntimeApiVersion);
    }

    /// <inheritdoc />
    public async Task<RuntimeHealth> StatusAsync(CancellationToken cancellationToken)
    {
        var r = await CallAsync(RuntimeOperation.Status, o => _runtime.StatusAsync(new V1.StatusRequest(), o), cancellationToken);
        if (r.Status is null) throw RpcErrors.BadResponse(RuntimeOperation.Status, "a status");
        return new RuntimeHealth(r.Status.Conditions.Select(c => new RuntimeCondition(c.Type, c.Status, c.Reason, c.Message)).ToArray());
    }

    /// <inheritdoc />
    public Task UpdatePodCidrAsync(string podCidr, CancellationToken cancellationToken) =>
        CallAsync(RuntimeOperation.UpdateRuntimeConfig, o => _runtime.UpdateRuntimeConfigAsync(new V1.UpdateRuntimeConfigRequest
        {
            RuntimeConfig = new V1.RuntimeConfig { NetworkConfig = new V1.NetworkConfig { PodCidr = podCidr } },
        }, o), cancellationToken);

    /// <inheritdoc />
    public async Task<string> RunSandboxAsync(SandboxSpec spec, CancellationToken cancellationToken)
    {
        var r = await CallAsync(RuntimeOperation.RunPodSandbox, o => _runtime.RunPodSandboxAsync(new V1.RunPodSandboxRequest { Config = CriMapping.ToCri(spec) }, o), cancellationToken);
        return NonEmpty(RuntimeOperation.RunPodSandbox, r.PodSandboxId, "a sandbox id");
    }

    /// <inheritdoc />
    public Task StopSandboxAsync(string sandboxId, CancellationToken cancellationToken) =>
        IgnoreNotFoundAsync(CallAsync(RuntimeOperation.StopPodSandbox, o => _runtime.StopPodSandboxAsync(new V1.StopPodSandboxRequest { PodSandboxId = sandboxId }, o), cancellationToken));

    /// <inheritdoc />
    public Task RemoveSandboxAsync(string sandboxId, CancellationToken cancellationToken) =>
        IgnoreNotFoundAsync(CallAsync(RuntimeOperation.RemovePodSandbox, o => _runtime.RemovePodSandboxAsync(new V1.RemovePodSandboxRequest { PodSandboxId = sandboxId }, o), cancellationToken));

    /// <inheritdoc />
    public async Task<SandboxStatus> SandboxStatusAsync(string sandboxId, CancellationToken cancellationToken)
    {
        var r = await CallAsync(RuntimeOperation.PodSandboxStatus, o => _runtime.PodSandboxStatusAsync(new V1.PodSandboxStatusRequest { PodSandboxId = sandboxId }, o), cancellationToken);
        if (r.Status is null) throw RpcErrors.BadResponse(RuntimeOperation.PodSandboxStatus, "a status");
        return CriMapping.FromCri(r.Status);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<SandboxInfo>> ListSandboxesAsync(IReadOnlyDictionary<string, string>? labels, CancellationToken cancellationToken)
    {
        var request = new V1.ListPodSandboxRequest();
        if (labels is not null)
        {
            request.Filter = new V1.PodSandboxFilter();
            CriMapping.AddAll(request.Filter.LabelSelector, labels);
        }
        var r = await CallAsync(RuntimeOperation.ListPodSandbox, o => _runtime.ListPodSandboxAsync(request, o), cancellationToken);
        return r.Items.Select(CriMapping.FromCri).ToArray();
    }

    /// <inheritdoc />
    public async Task<string> CreateContainerAsync(string sandboxId, ContainerSpec spec, SandboxSpec sandbox, CancellationToken cancellationToken)
    {
        var request = new V1.CreateContainerRequest { PodSandboxId = sandboxId, Config = CriMapping.ToCri(spec), SandboxConfig = CriMapping.ToCri(sandbox) };
        var r = await CallAsync(RuntimeOperation.CreateContainer, o => _runtime.CreateContainerAsync(request, o), cancellationToken);
        return NonEmpty(RuntimeOperation.CreateContainer, r.ContainerId, "a container id");
    }

    /// <inheritdoc />
    public Task StartContainerAsync(string containerId, CancellationToken cancellationToken) =>
        CallAsync(RuntimeOperation.StartContainer, o => _runtime.StartContainerAsync(new V1.StartContainerRequest { ContainerId = containerId }, o), cancellationToken);

    /// <inheritdoc />
    public Task StopContainerAsync(string containerId, TimeSpan gracePeriod, CancellationToken cancellationToken)
    {
        // CRI takes whole seconds; round a partial second up so a grace period is never cut short.
        var seconds = (long)Math.Ceiling(Math.Max(0, gracePeriod.TotalSeconds));
        var request = new V1.StopContainerRequest { ContainerId = containerId, Timeout = seconds };
        return IgnoreNotFoundAsync(CallAsync(RuntimeOperation.StopContainer, o => _runtime.StopContainerAsync(request, o), cancellationToken, _callTimeout + TimeSpan.FromSeconds(seconds)));
    }

    /// <inheritdoc />
    public Task RemoveContainerAsync(string containerId, CancellationToken cancellationToken) =>
        IgnoreNotFoundAsync(CallAsync(RuntimeOperation.RemoveContainer, o => _runtime.RemoveContainerAsync(new V1.RemoveContainerRequest { ContainerId = containerId }, o), cancellationToken));

    /// <inheritdoc />
    public async Task<IReadOnlyList<ContainerInfo>> ListContainersAsync(ContainerFilter? filter, CancellationToken cancellationToken)
    {
        var request = new V1.ListContainersRequest();
        if (filter is not null) request.Filter = CriMapping.ToCri(filter);
        var r = await CallAsync(RuntimeOperation.ListContainers, o => _runtime.ListContainersAsync(request, o), cancellationToken);
        return r.Containers.Select(CriMapping.FromCri).ToArray();
    }

    /// <inheritdoc />
    public async Task<ContainerStatus> ContainerStatusAsync(string containerId, CancellationToken cancellationToken)
    {
        var r = await CallAsync(RuntimeOperation.ContainerStatus, o => _runtime.ContainerStatusAsync(new V1.ContainerStatusRequest { ContainerId = containerId }, o), cancellationToken);
        if (r.Status is null) throw RpcErrors.BadResponse(RuntimeOperation.ContainerStatus, "a status");
        // CRI's ContainerStatus has no sandbox id: take it from the listing entry of the same container.
        var listing = await CallAsync(RuntimeOperation.ListContainers, o => _runtime.ListContainersAsync(new V1.ListContainersRequest { Filter = new V1.ContainerFilter { Id = containerId } }, o), cancellationToken);
        return CriMapping.FromCri(r.Status, listing.Containers.FirstOrDefault()?.PodSandboxId ?? "");
    }

    /// <inheritdoc />
    public async Task<ExecResult> ExecSyncAsync(string containerId, IReadOnlyList<string> command, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var seconds = (long)Math.Ceiling(Math.Max(0, timeout.TotalSeconds));
        var request = new V1.ExecSyncRequest { ContainerId = containerId, Timeout = seconds };
        request.Cmd.AddRange(command);
        var r = await CallAsync(RuntimeOperation.ExecSync, o => _runtime.ExecSyncAsync(request, o), cancellationToken, _callTimeout + TimeSpan.FromSeconds(seconds));
        return new ExecResult(r.ExitCode, r.Stdout.ToByteArray(), r.Stderr.ToByteArray());
    }

    /// <inheritdoc />
    public async Task<Uri> ExecStreamAsync(ExecStreamRequest request, CancellationToken cancellationToken)
    {
        if (request.IsAttach)
        {
            var attach = new V1.AttachRequest { ContainerId = request.ContainerId, Stdin = request.Stdin, Stdout = request.Stdout, Stderr = request.Stderr, Tty = request.Tty };
            var a = await CallAsync(RuntimeOperation.Attach, o => _runtime.AttachAsync(attach, o), cancellationToken);
            return StreamUrl(a.Url, RuntimeOperation.Attach);
        }
        var cri = new V1.ExecRequest { ContainerId = request.ContainerId, Stdin = request.Stdin, Stdout = request.Stdout, Stderr = request.Stderr, Tty = request.Tty };
        cri.Cmd.AddRange(request.Command);
        var r = await CallAsync(RuntimeOperation.Exec, o => _runtime.ExecAsync(cri, o), cancellationToken);
        return StreamUrl(r.Url, RuntimeOperation.Exec);
    }

    /// <inheritdoc />
    public async Task<Uri> PortForwardStreamAsync(string sandboxId, IReadOnlyList<int> ports, CancellationToken cancellationToken)
    {
        var cri = new V1.PortForwardRequest { PodSandboxId = sandboxId };
        cri.Port.AddRange(ports);
        var r = await CallAsync(RuntimeOperation.PortForward, o => _runtime.PortForwardAsync(cri, o), cancellationToken);
        return StreamUrl(r.Url, RuntimeOperation.PortForward);
    }

    /// <summary>The streaming server's URL that Exec, Attach and PortForward answer with.</summary>
    private static Uri StreamUrl(string url, string operation) =>
        Uri.TryCreate(url, UriKind.Absolute, out var parsed) ? parsed : throw RpcErrors.BadResponse(operation, "a valid URL");

    /// <inheritdoc />
    public Task ReopenContainerLogAsync(string containerId, CancellationToken cancellationToken) =>
        CallAsync(RuntimeOperation.ReopenContainerLog, o => _runtime.ReopenContainerLogAsync(new V1.ReopenContainerLogRequest { ContainerId = containerId }, o), cancellationToken);

    /// <inheritdoc />
    public async Task<ImageInfo?> ImageStatusAsync(string image, CancellationToken cancellationToken)
    {
        var r = await CallAsync(RuntimeOperation.ImageStatus, o => _images.ImageStatusAsync(new V1.ImageStatusRequest { Image = new V1.ImageSpec { Image = image } }, o), cancellationToken);
        return r.Image is null ? null : CriMapping.FromCri(r.Image);
    }

    /// <inheritdoc />
    public async Task<string> PullImageAsync(string image, CancellationToken cancellationToken)
    {
        var r = await CallAsync(RuntimeOperation.PullImage, o => _images.PullImageAsync(new V1.PullImageRequest { Image = new V1.ImageSpec { Image = image } }, o),
            cancellationToken, _pullTimeout);
        return NonEmpty(RuntimeOperation.PullImage, r.ImageRef, "an image ref");
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<ImageInfo>> ListImagesAsync(CancellationToken cancellationToken)
    {
        var r = await CallAsync(RuntimeOperation.ListImages, o => _images.ListImagesAsync(new V1.ListImagesRequest(), o), cancellationToken);
        return r.Images.Select(CriMapping.FromCri).ToArray();
    }

    /// <inheritdoc />
    public Task RemoveImageAsync(string image, CancellationToken cancellationToken) =>
        IgnoreNotFoundAsync(CallAsync(RuntimeOperation.RemoveImage, o => _images.RemoveImageAsync(new V1.RemoveImageRequest { Image = new V1.ImageSpec { Image = image } }, o), cancellationToken));

    /// <summary>Closes the channel.</summary>
    public void Dispose() => _channel.Dispose();

    /// <summary>Runs one call with its deadline (the call timeout unless given) and translates a gRPC failure.</summary>
    private async Task<T> CallAsync<T>(string operation, Func<CallOptions, AsyncUnaryCall<T>> call, CancellationToken cancellationToken, TimeSpan? timeout = null)
    {
        var options = new CallOptions(deadline: DateTime.UtcNow + (timeout ?? _callTimeout), cancellationToken: cancellationToken);
        try
        {
            return await call(options).ResponseAsync.ConfigureAwait(false);
        }
        catch (RpcException e)
        {
            throw RpcErrors.Translate(operation, e);
        }
    }

    private static async Task IgnoreNotFoundAsync(Task call)
    {
        try
        {
            await call.ConfigureAwait(false);
        }
        catch (RuntimeException e) when (e.Code == RuntimeErrorCode.NotFound)
        {
            // The contract makes stop and remove idempotent: what is gone is stopped and removed.
        }
    }

    private static string NonEmpty(string operation, string value, string what) =>
        string.IsNullOrEmpty(value) ? throw RpcErrors.BadResponse(operation, what) : value;
}
