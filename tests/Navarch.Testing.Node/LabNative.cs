using Navarch.Lab.Host;

namespace Navarch.Testing;

/// <summary>The libc calls the test helpers use: the lab's <see cref="LibC"/> under the names the helpers know.</summary>
internal static class LabNative
{
    /// <summary>CLONE_NEWNET: the namespace type of a /run/netns entry.</summary>
    public const int CloneNewNet = LibC.CloneNewNet;

    /// <summary>SIGKILL.</summary>
    public const int SigKill = LibC.SigKill;

    /// <summary>SIGTERM.</summary>
    public const int SigTerm = LibC.SigTerm;

    /// <summary>setns(2).</summary>
    public static int SetNs(int fd, int nsType) => LibC.SetNs(fd, nsType);

    /// <summary>kill(2).</summary>
    public static int Kill(int pid, int signal) => LibC.Kill(pid, signal);
}
