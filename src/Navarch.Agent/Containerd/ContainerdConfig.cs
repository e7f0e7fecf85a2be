using System.Text;
using Navarch.Cri;

namespace Navarch.Agent.Containerd;

/// <summary>
/// Renders the containerd (1.6, config version 2) TOML for one agent: a pure function of its paths and
/// options. What each setting is for is in PLATFORM.md's containerd section; the non-default ones are
/// required on these machines, not tuning.
/// </summary>
public static class ContainerdConfig
{
    /// <summary>
    /// Plugins the agent never uses; disabling them saves start time and avoids probing absent filesystems.
    /// (<c>io.containerd.runtime.v1.linux</c> stays: 1.6's tasks service, and with it CRI, fails without it.)
    /// </summary>
    public static readonly IReadOnlyList<string> DisabledPlugins =
    [
        "io.containerd.snapshotter.v1.aufs",
        "io.containerd.snapshotter.v1.btrfs",
        "io.containerd.snapshotter.v1.zfs",
        "io.containerd.snapshotter.v1.devmapper",
        "io.containerd.tracing.processor.v1.otlp",
        "io.containerd.internal.v1.tracing",
    ];

    /// <summary>The config text for <paramref name="paths"/> with <paramref name="snapshotter"/> (<c>overlayfs</c> or <c>native</c>).</summary>
    public static string Render(ContainerdPaths paths, ContainerdOptions options, string snapshotter)
    {
        var disabled = string.Join(", ", DisabledPlugins.Select(Quote));
        var cri = "plugins.\"io.containerd.grpc.v1.cri\"";
        var text = new StringBuilder()
            .AppendLine("# Written by the navarch agent; rewritten at every start.")
            .AppendLine("version = 2")
            .AppendLine($"root = {Quote(paths.Root)}")
            .AppendLine($"state = {Quote(paths.State)}")
            .AppendLine("oom_score = 0")
            .AppendLine($"disabled_plugins = [{disabled}]")
            .AppendLine()
            .AppendLine("[grpc]")
            .AppendLine($"  address = {Quote(paths.Socket)}")
            .AppendLine()
            .AppendLine("[ttrpc]")
            .AppendLine($"  address = {Quote(paths.TtrpcSocket)}")
            .AppendLine()
            .AppendLine("[debug]")
            .AppendLine($"  level = {Quote(options.LogLevel)}")
            .AppendLine()
            .AppendLine("[plugins]")
            .AppendLine("  [plugins.\"io.containerd.internal.v1.opt\"]")
            .AppendLine($"    path = {Quote(paths.OptDir)}")
            .AppendLine()
            .AppendLine($"  [{cri}]")
            .AppendLine($"    sandbox_image = {Quote(options.SandboxImage)}")
            // Root here lacks CAP_SYS_RESOURCE: without this every RunPodSandbox fails in runc.
            .AppendLine("    restrict_oom_score_adj = true")
            // Pod network namespaces under our state dir, never in the machine-wide /run/netns.
            .AppendLine("    netns_mounts_under_state_dir = true")
            .AppendLine("    enable_selinux = false")
            // Exec/attach streaming on loopback of containerd's namespace, any free port (several containerds per machine).
            .AppendLine("    stream_server_address = \"127.0.0.1\"")
            .AppendLine("    stream_server_port = \"0\"")
            .AppendLine($"    [{cri}.cni]")
            .AppendLine($"      bin_dir = {Quote(options.CniBinDir)}")
            .AppendLine($"      conf_dir = {Quote(paths.CniConfDir)}")
            .AppendLine("      max_conf_num = 1")
            .AppendLine($"    [{cri}.containerd]")
            .AppendLine($"      snapshotter = {Quote(snapshotter)}")
            .AppendLine("      default_runtime_name = \"runc\"")
            .AppendLine($"      [{cri}.containerd.runtimes.runc]")
            .AppendLine("        runtime_type = \"io.containerd.runc.v2\"")
            .AppendLine($"        [{cri}.containerd.runtimes.runc.options]")
            // runc's default state dir (/run/containerd/runc) is shared by every containerd on the machine.
            .AppendLine($"          Root = {Quote(paths.RuncRoot)}")
            .AppendLine("          SystemdCgroup = false");
        return text.ToString();
    }

    /// <summary>A TOML basic string.</summary>
    internal static string Quote(string value) =>
        "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
