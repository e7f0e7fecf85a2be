using k8s.Models;

namespace Navarch.Agent.Server;

/// <summary>
/// Picks the container instance a log request means, as upstream's kubelet does from the container's status
/// (validateContainerLogStatus): the running one, else the terminated one, else the last terminated one;
/// with <c>previous</c> the last terminated one. The messages are upstream's.
/// </summary>
public static class ContainerInstance
{
    /// <summary>The runtime's container id (without <c>containerd://</c>) or null with <paramref name="error"/> set.</summary>
    public static string? ForLogs(V1ContainerStatus? status, bool previous, string container, string pod, out string error)
    {
        error = "";
        if (status is null)
        {
            error = $"container \"{container}\" in pod \"{pod}\" is not available";
            return null;
        }
        var state = status.State ?? new V1ContainerState();
        var last = status.LastState?.Terminated;
        string? id;
        if (previous)
        {
            id = last?.ContainerID;
            if (string.IsNullOrEmpty(id)) error = $"previous terminated container \"{container}\" in pod \"{pod}\" not found";
        }
        else if (state.Running is not null)
        {
            id = status.ContainerID;
        }
        else if (state.Terminated is not null)
        {
            id = string.IsNullOrEmpty(state.Terminated.ContainerID) ? last?.ContainerID : state.Terminated.ContainerID;
            if (string.IsNullOrEmpty(id)) error = $"container \"{container}\" in pod \"{pod}\" is terminated";
        }
        else if (!string.IsNullOrEmpty(last?.ContainerID))
        {
            id = last.ContainerID;
        }
        else
        {
            id = null;
            var reason = state.Waiting?.Reason;
            error = reason switch
            {
                "ErrImagePull" => $"container \"{container}\" in pod \"{pod}\" is waiting to start: image can't be pulled",
                "ImagePullBackOff" => $"container \"{container}\" in pod \"{pod}\" is waiting to start: trying and failing to pull image",
                null or "" => $"container \"{container}\" in pod \"{pod}\" is waiting to start - no logs yet",
                _ => $"container \"{container}\" in pod \"{pod}\" is waiting to start: {reason}",
            };
        }
        return string.IsNullOrEmpty(id) ? null : StripScheme(id);
    }

    /// <summary>The running instance for exec, or null with <paramref name="error"/> set.</summary>
    public static string? ForExec(V1ContainerStatus? status, string container, string pod, out string error)
    {
        error = "";
        if (status?.State?.Running is not null && !string.IsNullOrEmpty(status.ContainerID)) return StripScheme(status.ContainerID);
        error = $"unable to upgrade connection: container not found (\"{container}\")";
        return null;
    }

    /// <summary><c>containerd://abc</c> → <c>abc</c>.</summary>
    public static string StripScheme(string containerId)
    {
        var at = containerId.IndexOf("://", StringComparison.Ordinal);
        return at < 0 ? containerId : containerId[(at + 3)..];
    }
}
