using System.Runtime.InteropServices;

namespace Navarch.Testing;

/// <summary>The two libc calls the lab needs and .NET lacks: <c>setns</c> (enter a network namespace) and <c>kill</c> with a signal.</summary>
internal static partial class LabNative
{
    /// <summary>CLONE_NEWNET: the namespace type of a /run/netns entry.</summary>
    public const int CloneNewNet = 0x40000000;

    /// <summary>SIGKILL.</summary>
    public const int SigKill = 9;

    /// <summary>SIGTERM.</summary>
    public const int SigTerm = 15;

    [DllImport("libc", SetLastError = true, EntryPoint = "setns")]
    public static extern int SetNs(int fd, int nsType);

    [DllImport("libc", SetLastError = true, EntryPoint = "kill")]
    public static extern int Kill(int pid, int signal);
}
