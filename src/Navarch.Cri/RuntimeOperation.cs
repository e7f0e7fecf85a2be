namespace Navarch.Cri;

/// <summary>Names of the CRI calls, as <see cref="RuntimeException.Operation"/> and the fake runtime's call log use them.</summary>
public static class RuntimeOperation
{
    /// <summary>CRI Version.</summary>
    public const string Version = "Version";

    /// <summary>CRI Status.</summary>
    public const string Status = "Status";

    /// <summary>CRI UpdateRuntimeConfig.</summary>
    public const string UpdateRuntimeConfig = "UpdateRuntimeConfig";

    /// <summary>CRI Attach.</summary>
    public const string Attach = "Attach";

    /// <summary>CRI PortForward.</summary>
    public const string PortForward = "PortForward";

    /// <summary>CRI RunPodSandbox.</summary>
    public const string RunPodSandbox = "RunPodSandbox";

    /// <summary>CRI StopPodSandbox.</summary>
    public const string StopPodSandbox = "StopPodSandbox";

    /// <summary>CRI RemovePodSandbox.</summary>
    public const string RemovePodSandbox = "RemovePodSandbox";

    /// <summary>CRI PodSandboxStatus.</summary>
    public const string PodSandboxStatus = "PodSandboxStatus";

    /// <summary>CRI ListPodSandbox.</summary>
    public const string ListPodSandbox = "ListPodSandbox";

    /// <summary>CRI CreateContainer.</summary>
    public const string CreateContainer = "CreateContainer";

    /// <summary>CRI StartContainer.</summary>
    public const string StartContainer = "StartContainer";

    /// <summary>CRI StopContainer.</summary>
    public const string StopContainer = "StopContainer";

    /// <summary>CRI RemoveContainer.</summary>
    public const string RemoveContainer = "RemoveContainer";

    /// <summary>CRI ListContainers.</summary>
    public const string ListContainers = "ListContainers";

    /// <summary>CRI ContainerStatus.</summary>
    public const string ContainerStatus = "ContainerStatus";

    /// <summary>CRI ExecSync.</summary>
    public const string ExecSync = "ExecSync";

    /// <summary>CRI Exec.</summary>
    public const string Exec = "Exec";

    /// <summary>CRI ReopenContainerLog.</summary>
    public const string ReopenContainerLog = "ReopenContainerLog";

    /// <summary>CRI ImageStatus.</summary>
    public const string ImageStatus = "ImageStatus";

    /// <summary>CRI PullImage.</summary>
    public const string PullImage = "PullImage";

    /// <summary>CRI ListImages.</summary>
    public const string ListImages = "ListImages";

    /// <summary>CRI RemoveImage.</summary>
    public const string RemoveImage = "RemoveImage";
}
