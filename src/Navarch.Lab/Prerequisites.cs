using Navarch.Lab.Host;

namespace Navarch.Lab;

/// <summary>What the lab needs from the machine: root, and Debian's packages (installed when missing, as scripts/install-deps does).</summary>
public static class Prerequisites
{
    /// <summary>The Debian packages the lab uses: links and namespaces, runtime, CNI plugins, the images' sources.</summary>
    public static readonly IReadOnlyList<string> Packages =
        ["iproute2", "iptables", "procps", "util-linux", "containerd", "runc", "containernetworking-plugins", "busybox-static", "nginx"];

    /// <summary>What a lab on etcd needs besides: the server and etcdctl (its health check).</summary>
    public static readonly IReadOnlyList<string> EtcdPackages = ["etcd-server", "etcd-client"];

    /// <summary>Throws <see cref="LabException"/> unless the process runs as root.</summary>
    public static void RequireRoot(string command)
    {
        if (LibC.GetEuid() != 0) throw new LabException($"{command} needs root (network namespaces, containerd): run it as root or with sudo");
    }

    /// <summary>Installs the missing <see cref="Packages"/> (and <paramref name="extra"/>) with apt-get; <paramref name="progress"/> hears what is installed.</summary>
    public static async Task EnsurePackagesAsync(Action<string> progress, CancellationToken ct, IReadOnlyList<string>? extra = null)
    {
        var missing = new List<string>();
        foreach (var package in Packages.Concat(extra ?? []))
            if ((await HostCommand.TryRunAsync("dpkg", ["-s", package], ct)).ExitCode != 0) missing.Add(package);
        if (missing.Count == 0) return;
        progress($"installing {string.Join(' ', missing)} from Debian's packages");
        await HostCommand.RunAsync("apt-get", ["update", "-qq"], ct);
        var install = await HostCommand.TryRunAsync("env", ["DEBIAN_FRONTEND=noninteractive", "apt-get", "install", "-y", "-qq", .. missing], ct);
        if (install.ExitCode != 0) throw new LabException($"apt-get install {string.Join(' ', missing)} failed: {install.FirstErrorLine}");
    }
}
