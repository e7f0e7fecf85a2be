using System.Security.Cryptography;
using System.Text;
using Navarch.Cri;

namespace Navarch.Agent.Runtime;

/// <summary>One call a <see cref="FakeRuntime"/> received: the CRI operation and the id or name it was about.</summary>
public sealed record FakeRuntimeCall(string Operation, string Target);

/// <summary>
/// An <see cref="ICriRuntime"/> that runs nothing, for hollow nodes and unit tests. Sandboxes "start" with
/// the lowest free IP of the pod CIDR; containers go Running at once and stay so until stopped or told to
/// exit (<see cref="ExitContainer"/>). It keeps its state, records every call (<see cref="Calls"/>) and
/// fails on demand (<see cref="Faults"/>). Thread-safe; cheap enough for thousands of pods per process.
/// </summary>
public sealed class FakeRuntime : ICriRuntime
{
    /// <summary>Exit code of a process killed by SIGKILL (128 + 9), as runtimes report it.</summary>
    public const int KilledExitCode = 137;

    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    // Guarded by _lock.
    private readonly Dictionary<string, SandboxRecord> _sandboxes = [];
    private readonly Dictionary<string, ContainerStatus> _containers = [];
    private readonly Dictionary<string, ImageInfo> _images = [];
    private readonly List<FakeRuntimeCall> _calls = [];
    private PodIpPool? _pool;

    private sealed record SandboxRecord(SandboxStatus Status, SandboxSpec Spec);

    /// <summary>A fake with pod IPs from <paramref name="podCidr"/> (null: none until <see cref="UpdatePodCidrAsync"/>) and <paramref name="images"/> present.</summary>
    public FakeRuntime(string? podCidr = null, IEnumerable<string>? images = null, TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
        _pool = podCidr is null ? null : new PodIpPool(podCidr);
        foreach (var image in images ?? []) AddImage(image);
    }

    /// <summary>Failures to inject, per operation.</summary>
    public FakeRuntimeFaults Faults { get; } = new();

    /// <summary>Answers <see cref="ExecSyncAsync"/>: container id and command in, result out. Default: exit 0, no output.</summary>
    public Func<string, IReadOnlyList<string>, ExecResult> ExecHandler { get; set; } = (_, _) => new ExecResult(0, [], []);

    /// <summary>
    /// Answers <see cref="ExecStreamAsync"/> with the URL of a stream server (a test's); null, the default: the fake
    /// has none, so exec falls back to <see cref="ExecSyncAsync"/>.
    /// </summary>
    public Func<ExecStreamRequest, Uri>? ExecStreamHandler { get; set; }

    /// <summary>Answers <see cref="PortForwardStreamAsync"/> like <see cref="ExecStreamHandler"/>: null, the default, has none.</summary>
    public Func<string, Uri>? PortForwardHandler { get; set; }

    /// <summary>Whether <see cref="PullImageAsync"/> finds any image (true: every pull succeeds, as for hollow nodes).</summary>
    public bool PullSucceeds { get; set; } = true;

    /// <summary>Every call so far, oldest first.</summary>
    public IReadOnlyList<FakeRuntimeCall> Calls { get { lock (_lock) return _calls.ToArray(); } }

    /// <summary>Makes <paramref name="image"/> present, as an import would.</summary>
    public void AddImage(string image)
    {
        var name = NormalizeImage(image);
        lock (_lock) _images[name] = new ImageInfo(ImageId(name), [name], [], 1024);
    }

    /// <summary>Ends a running container's process as if it exited by itself (crash, completion, OOM kill).</summary>
    public void ExitContainer(string containerId, int exitCode, string reason = "")
    {
        lock (_lock)
        {
            var c = Get(_containers, containerId, "ExitContainer");
            if (c.State != ContainerState.Running) return;
            _containers[containerId] = Exited(c, exitCode, reason.Length > 0 ? reason : exitCode == 0 ? "Completed" : "Error");
        }
    }

    /// <inheritdoc />
    public Task<RuntimeVersion> VersionAsync(CancellationToken cancellationToken) =>
        Run(RuntimeOperation.Version, "", () => new RuntimeVersion("fake", "0.1.0", "v1"));

    /// <inheritdoc />
    public Task<RuntimeHealth> StatusAsync(CancellationToken cancellationToken) => Run(RuntimeOperation.Status, "", () => new RuntimeHealth(
    [
        new RuntimeCondition(RuntimeHealth.RuntimeReadyCondition, true, "", ""),
        new RuntimeCondition(RuntimeHealth.NetworkReadyCondition, _pool is not null, _pool is null ? "NoPodCidr" : "", ""),
    ]));

    /// <inheritdoc />
    public Task UpdatePodCidrAsync(string podCidr, CancellationToken cancellationToken) => Run(RuntimeOperation.UpdateRuntimeConfig, podCidr, () =>
    {
        if (_pool?.Cidr == podCidr) return true;
        _pool = new PodIpPool(podCidr);
        foreach (var s in _sandboxes.Values) _pool.Reserve(s.Status.Ip);
        return true;
    });

    /// <inheritdoc />
    public Task<string> RunSandboxAsync(SandboxSpec spec, CancellationToken cancellationToken) => Run(RuntimeOperation.RunPodSandbox, $"{spec.Namespace}/{spec.Name}", () =>
    {
        if (_sandboxes.Values.Any(s => s.Spec.Uid == spec.Uid && s.Spec.Attempt == spec.Attempt && s.Spec.Name == spec.Name && s.Spec.Namespace == spec.Namespace))
            throw new RuntimeException(RuntimeErrorCode.AlreadyExists, RuntimeOperation.RunPodSandbox, $"sandbox {spec.Namespace}/{spec.Name} attempt {spec.Attempt} exists");
        if (_pool is null) throw new RuntimeException(RuntimeErrorCode.FailedPrecondition, RuntimeOperation.RunPodSandbox, "no pod CIDR configured");
        var ip = _pool.Allocate() ?? throw new RuntimeException(RuntimeErrorCode.Internal, RuntimeOperation.RunPodSandbox, $"no free IP in {_pool.Cidr}");
        var id = NewId();
        _sandboxes[id] = new SandboxRecord(new SandboxStatus
        {
            Id = id, Name = spec.Name, Namespace = spec.Namespace, Uid = spec.Uid, Attempt = spec.Attempt,
            State = SandboxState.Ready, CreatedAt = _time.GetUtcNow(), Labels = Copy(spec.Labels), Annotations = Copy(spec.Annotations), Ip = ip,
        }, spec);
        return id;
    });

    /// <inheritdoc />
    public Task StopSandboxAsync(string sandboxId, CancellationToken cancellationToken) => Run(RuntimeOperation.StopPodSandbox, sandboxId, () => StopSandbox(sandboxId));

    /// <inheritdoc />
    public Task RemoveSandboxAsync(string sandboxId, CancellationToken cancellationToken) => Run(RuntimeOperation.RemovePodSandbox, sandboxId, () =>
    {
        StopSandbox(sandboxId);
        foreach (var c in _containers.Values.Where(c => c.SandboxId == sandboxId).ToArray()) _containers.Remove(c.Id);
        return _sandboxes.Remove(sandboxId);
    });

    /// <inheritdoc />
    public Task<SandboxStatus> SandboxStatusAsync(string sandboxId, CancellationToken cancellationToken) =>
        Run(RuntimeOperation.PodSandboxStatus, sandboxId, () => Get(_sandboxes, sandboxId, RuntimeOperation.PodSandboxStatus).Status);

    /// <inheritdoc />
    public Task<IReadOnlyList<SandboxInfo>> ListSandboxesAsync(IReadOnlyDictionary<string, string>? labels, CancellationToken cancellationToken) =>
        Run(RuntimeOperation.ListPodSandbox, "", () => (IReadOnlyList<SandboxInfo>)_sandboxes.Values
            .Where(s => Matches(s.Status.Labels, labels)).Select(s => (SandboxInfo)s.Status).ToArray());

    /// <inheritdoc />
    public Task<string> CreateContainerAsync(string sandboxId, ContainerSpec spec, SandboxSpec sandbox, CancellationToken cancellationToken) =>
        Run(RuntimeOperation.CreateContainer, $"{sandboxId}/{spec.Name}", () =>
        {
            var s = Get(_sandboxes, sandboxId, RuntimeOperation.CreateContainer);
            if (s.Status.State != SandboxState.Ready)
                throw new RuntimeException(RuntimeErrorCode.FailedPrecondition, RuntimeOperation.CreateContainer, $"sandbox {sandboxId} is not ready");
            if (!_images.TryGetValue(NormalizeImage(spec.Image), out var image))
                throw new RuntimeException(RuntimeErrorCode.NotFound, RuntimeOperation.CreateContainer, $"image \"{spec.Image}\" not found");
            var id = NewId();
            _containers[id] = new ContainerStatus
            {
                Id = id, SandboxId = sandboxId, Name = spec.Name, Attempt = spec.Attempt, State = ContainerState.Created,
                Image = spec.Image, ImageRef = image.Id, CreatedAt = _time.GetUtcNow(),
                Labels = Copy(spec.Labels), Annotations = Copy(spec.Annotations),
                LogPath = s.Spec.LogDirectory.Length == 0 || spec.LogPath.Length == 0 ? "" : Path.Combine(s.Spec.LogDirectory, spec.LogPath),
            };
            return id;
        });

    /// <inheritdoc />
    public Task StartContainerAsync(string containerId, CancellationToken cancellationToken) => Run(RuntimeOperation.StartContainer, containerId, () =>
    {
        var c = Get(_containers, containerId, RuntimeOperation.StartContainer);
        if (c.State != ContainerState.Created)
            throw new RuntimeException(RuntimeErrorCode.FailedPrecondition, RuntimeOperation.StartContainer, $"container {containerId} is {c.State}, not Created");
        _containers[containerId] = c with { State = ContainerState.Running, StartedAt = _time.GetUtcNow() };
        return true;
    });

    /// <inheritdoc />
    public Task StopContainerAsync(string containerId, TimeSpan gracePeriod, CancellationToken cancellationToken) => Run(RuntimeOperation.StopContainer, containerId, () =>
    {
        // A fake process honours SIGTERM at once; with no grace period it is SIGKILLed.
        if (_containers.TryGetValue(containerId, out var c) && c.State is ContainerState.Running or ContainerState.Created)
            _containers[containerId] = gracePeriod > TimeSpan.Zero ? Exited(c, 0, "Completed") : Exited(c, KilledExitCode, "Error");
        return true;
    });

    /// <inheritdoc />
    public Task RemoveContainerAsync(string containerId, CancellationToken cancellationToken) =>
        Run(RuntimeOperation.RemoveContainer, containerId, () => _containers.Remove(containerId));

    /// <inheritdoc />
    public Task<IReadOnlyList<ContainerInfo>> ListContainersAsync(ContainerFilter? filter, CancellationToken cancellationToken) =>
        Run(RuntimeOperation.ListContainers, filter?.SandboxId ?? "", () => (IReadOnlyList<ContainerInfo>)_containers.Values
            .Where(c => (filter?.SandboxId is null || c.SandboxId == filter.SandboxId)
                        && (filter?.State is null || c.State == filter.State)
                        && Matches(c.Labels, filter?.Labels))
            .Select(c => (ContainerInfo)c).ToArray());

    /// <inheritdoc />
    public Task<ContainerStatus> ContainerStatusAsync(string containerId, CancellationToken cancellationToken) =>
        Run(RuntimeOperation.ContainerStatus, containerId, () => Get(_containers, containerId, RuntimeOperation.ContainerStatus));

    /// <inheritdoc />
    public Task<ExecResult> ExecSyncAsync(string containerId, IReadOnlyList<string> command, TimeSpan timeout, CancellationToken cancellationToken) =>
        Run(RuntimeOperation.ExecSync, containerId, () =>
        {
            var c = Get(_containers, containerId, RuntimeOperation.ExecSync);
            if (c.State != ContainerState.Running)
                throw new RuntimeException(RuntimeErrorCode.FailedPrecondition, RuntimeOperation.ExecSync, $"container {containerId} is not running");
            return ExecHandler(containerId, command);
        });

    /// <inheritdoc />
    public Task<Uri> ExecStreamAsync(ExecStreamRequest request, CancellationToken cancellationToken) =>
        Run(RuntimeOperation.Exec, request.ContainerId, () =>
            ExecStreamHandler?.Invoke(request)
            ?? throw new RuntimeException(RuntimeErrorCode.Unimplemented, RuntimeOperation.Exec, "the fake runtime runs no processes to attach to"));

    /// <inheritdoc />
    public Task<Uri> PortForwardStreamAsync(string sandboxId, IReadOnlyList<int> ports, CancellationToken cancellationToken) =>
        Run(RuntimeOperation.PortForward, sandboxId, () =>
        {
            Get(_sandboxes, sandboxId, RuntimeOperation.PortForward);
            return PortForwardHandler?.Invoke(sandboxId)
                ?? throw new RuntimeException(RuntimeErrorCode.Unimplemented, RuntimeOperation.PortForward, "the fake runtime has no network to forward into");
        });

    /// <inheritdoc />
    public Task ReopenContainerLogAsync(string containerId, CancellationToken cancellationToken) =>
        Run(RuntimeOperation.ReopenContainerLog, containerId, () => Get(_containers, containerId, RuntimeOperation.ReopenContainerLog));

    /// <inheritdoc />
    public Task<ImageInfo?> ImageStatusAsync(string image, CancellationToken cancellationToken) =>
        Run(RuntimeOperation.ImageStatus, image, () => _images.GetValueOrDefault(NormalizeImage(image)));

    /// <inheritdoc />
    public Task<string> PullImageAsync(string image, CancellationToken cancellationToken) => Run(RuntimeOperation.PullImage, image, () =>
    {
        if (!PullSucceeds) throw new RuntimeException(RuntimeErrorCode.Unknown, RuntimeOperation.PullImage, $"failed to resolve reference \"{image}\": no registry reachable");
        var name = NormalizeImage(image);
        if (!_images.TryGetValue(name, out var info)) _images[name] = info = new ImageInfo(ImageId(name), [name], [], 1024);
        return info.Id;
    });

    /// <inheritdoc />
    public Task<IReadOnlyList<ImageInfo>> ListImagesAsync(CancellationToken cancellationToken) =>
        Run(RuntimeOperation.ListImages, "", () => (IReadOnlyList<ImageInfo>)_images.Values.ToArray());

    /// <inheritdoc />
    public Task RemoveImageAsync(string image, CancellationToken cancellationToken) =>
        Run(RuntimeOperation.RemoveImage, image, () => _images.Remove(NormalizeImage(image)));

    /// <summary>Adds a default tag as runtimes do: <c>nginx</c> and <c>nginx:latest</c> name the same image.</summary>
    public static string NormalizeImage(string image)
    {
        var lastSlash = image.LastIndexOf('/');
        return image.Contains('@') || image.IndexOf(':', lastSlash + 1) >= 0 ? image : image + ":latest";
    }

    /// <summary>Records the call, injects a due failure, then runs <paramref name="body"/> under the lock.</summary>
    private Task<T> Run<T>(string operation, string target, Func<T> body)
    {
        lock (_lock)
        {
            _calls.Add(new FakeRuntimeCall(operation, target));
            try
            {
                Faults.ThrowIfDue(operation);
                return Task.FromResult(body());
            }
            catch (RuntimeException e)
            {
                return Task.FromException<T>(e);
            }
        }
    }

    private bool StopSandbox(string sandboxId)
    {
        if (!_sandboxes.TryGetValue(sandboxId, out var s) || s.Status.State == SandboxState.NotReady) return false;
        foreach (var c in _containers.Values.Where(c => c.SandboxId == sandboxId && c.State is ContainerState.Running or ContainerState.Created).ToArray())
            _containers[c.Id] = Exited(c, KilledExitCode, "Error");
        _pool?.Release(s.Status.Ip);
        _sandboxes[sandboxId] = s with { Status = s.Status with { State = SandboxState.NotReady, Ip = "" } };
        return true;
    }

    private ContainerStatus Exited(ContainerStatus c, int exitCode, string reason) =>
        c with { State = ContainerState.Exited, ExitCode = exitCode, Reason = reason, FinishedAt = _time.GetUtcNow() };

    private static T Get<T>(Dictionary<string, T> map, string id, string operation) =>
        map.TryGetValue(id, out var value) ? value : throw new RuntimeException(RuntimeErrorCode.NotFound, operation, $"\"{id}\" not found");

    private static bool Matches(IReadOnlyDictionary<string, string> labels, IReadOnlyDictionary<string, string>? selector) =>
        selector is null || selector.All(kv => labels.TryGetValue(kv.Key, out var v) && v == kv.Value);

    private static Dictionary<string, string> Copy(IReadOnlyDictionary<string, string> map) => new(map);

    private static string NewId() => Guid.NewGuid().ToString("N") + Guid.NewGuid().ToString("N");

    private static string ImageId(string name) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(name)));
}
