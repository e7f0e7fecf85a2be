using System.Diagnostics;
using k8s.Models;
using Navarch.Cri;
using Navarch.Client.Events;

namespace Navarch.Agent.Pods;

/// <summary>The outcome of making a container's image present: its reference, or why the container waits.</summary>
public sealed record ImageResult(string? ImageRef, WaitingReason? Waiting, TimeSpan Retry)
{
    /// <summary>Whether the image is present.</summary>
    public bool Ready => ImageRef is not null;
}

/// <summary>
/// Makes a container's image present as upstream's image manager does: honours imagePullPolicy (Always,
/// IfNotPresent, Never; the default from the tag), records Pulling/Pulled/Failed/BackOff events, and backs off
/// per pod and image after a failed pull (<c>ErrImagePull</c>, then <c>ImagePullBackOff</c>).
/// </summary>
public sealed class ImagePuller(ICriRuntime runtime, EventRecorder events, ContainerBackOff backOff, bool offline)
{
    /// <summary>The pull policy a container gets when it names none: Always for <c>:latest</c> or no tag, else IfNotPresent.</summary>
    public static string DefaultPolicy(string image)
    {
        if (image.Contains('@')) return "IfNotPresent";
        var lastSlash = image.LastIndexOf('/');
        var colon = image.IndexOf(':', lastSlash + 1);
        return colon < 0 || image[(colon + 1)..] == "latest" ? "Always" : "IfNotPresent";
    }

    /// <summary>Ensures the image of <paramref name="container"/>; never throws for pull failures (they become a waiting reason).</summary>
    public async Task<ImageResult> EnsureAsync(V1Pod pod, V1Container container, CancellationToken ct)
    {
        var image = container.Image;
        var policy = string.IsNullOrEmpty(container.ImagePullPolicy) ? DefaultPolicy(image) : container.ImagePullPolicy;
        var present = await runtime.ImageStatusAsync(image, ct);
        if (policy == "Never")
        {
            if (present is not null) return new ImageResult(present.Id, null, TimeSpan.Zero);
            var message = $"Container image \"{image}\" is not present with pull policy of Never";
            await events.WarningAsync(pod, "ErrImageNeverPull", message, ct);
            return new ImageResult(null, new WaitingReason("ErrImageNeverPull", message), TimeSpan.Zero);
        }
        if (present is not null && (policy == "IfNotPresent" || offline))
        {
            await events.NormalAsync(pod, "Pulled", $"Container image \"{image}\" already present on machine", ct);
            return new ImageResult(present.Id, null, TimeSpan.Zero);
        }

        var key = $"{pod.Metadata.Uid}_{image}";
        var wait = backOff.Remaining(key);
        if (wait > TimeSpan.Zero)
        {
            var message = $"Back-off pulling image \"{image}\"";
            await events.NormalAsync(pod, "BackOff", message, ct);
            return new ImageResult(null, new WaitingReason("ImagePullBackOff", message), wait);
        }
        await events.NormalAsync(pod, "Pulling", $"Pulling image \"{image}\"", ct);
        var clock = Stopwatch.StartNew();
        try
        {
            var reference = await runtime.PullImageAsync(image, ct);
            backOff.Reset(key);
            var took = GoDuration.Format(clock.Elapsed);
            await events.NormalAsync(pod, "Pulled", $"Successfully pulled image \"{image}\" in {took} ({took} including waiting)", ct);
            return new ImageResult(reference, null, TimeSpan.Zero);
        }
        catch (RuntimeException e)
        {
            var retry = backOff.Next(key);
            var message = $"Failed to pull image \"{image}\": {e.Message}";
            await events.WarningAsync(pod, "Failed", message, ct);
            await events.WarningAsync(pod, "Failed", "Error: ErrImagePull", ct);
            return new ImageResult(null, new WaitingReason("ErrImagePull", message), retry);
        }
    }
}
