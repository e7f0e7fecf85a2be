using System.Runtime.InteropServices;

namespace Navarch.Lab.Host;

/// <summary>The libc calls the lab needs and .NET lacks: <c>setns</c>, <c>kill</c> with a signal, <c>geteuid</c>.</summary>
public static partial class LibC
{
    /// <summary>CLONE_NEWNET: the namespace type of a /run/netns entry.</summary>
    public const int CloneNewNet = 0x40000000;

    /// <summary>SIGKILL.</summary>
    public const int SigKill = 9;

    /// <summary>SIGTERM.</summary>
    public const int SigTerm = 15;

    /// <summary>setns(2): moves the calling thread into the namespace of <paramref name="fd"/>.</summary>
    [LibraryImport("libc", SetLastError = true, EntryPoint = "setns")]
    public static partial int SetNs(int fd, int nsType);

    /// <summary>kill(2).</summary>
    [LibraryImport("libc", SetLastError = true, EntryPoint = "kill")]
    public static partial int Kill(int pid, int signal);

    /// <summary>geteuid(2).</summary>
    [LibraryImport("libc", EntryPoint = "geteuid")]
    public static partial uint GetEuid();
}
