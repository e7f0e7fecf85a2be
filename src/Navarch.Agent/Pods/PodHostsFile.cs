using System.Text;
using k8s.Models;
using Navarch.Cri;

namespace Navarch.Agent.Pods;

/// <summary>
/// The kubelet-managed /etc/hosts of a pod (upstream's managedHostsFileContent): localhost lines, the pod's own
/// address with its hostname (and <c>HOSTNAME.SUBDOMAIN.NS.svc.DOMAIN</c> when it has a subdomain), then its
/// hostAliases. Written as <c>ROOT/UID/etc-hosts</c> (under the pod's volume directory, so it goes with the pod) and
/// bind-mounted into every container, unless the pod uses the host's network or the container mounts /etc/hosts.
/// </summary>
public sealed class PodHostsFile(string root, string clusterDomain)
{
    public const string ContainerPath = "/etc/hosts";

    /// <summary>The file's text for a pod with address <paramref name="podIp"/> and hostname <paramref name="hostname"/>.</summary>
    public string Content(V1Pod pod, string podIp, string hostname)
    {
        var text = new StringBuilder()
            .Append("# Kubernetes-managed hosts file.\n")
            .Append("127.0.0.1\tlocalhost\n")
            .Append("::1\tlocalhost ip6-localhost ip6-loopback\n")
            .Append("fe00::0\tip6-localnet\n")
            .Append("fe00::0\tip6-mcastprefix\n")
            .Append("fe00::1\tip6-allnodes\n")
            .Append("fe00::2\tip6-allrouters\n");
        var subdomain = pod.Spec.Subdomain;
        if (string.IsNullOrEmpty(subdomain)) text.Append(podIp).Append('\t').Append(hostname).Append('\n');
        else text.Append(podIp).Append('\t').Append(hostname).Append('.').Append(subdomain).Append('.')
            .Append(pod.Metadata.NamespaceProperty ?? "default").Append(".svc.").Append(clusterDomain).Append('\t').Append(hostname).Append('\n');
        if (pod.Spec.HostAliases is { Count: > 0 } aliases)
        {
            text.Append("\n# Entries added by HostAliases.\n");
            foreach (var alias in aliases)
                text.Append(alias.Ip).Append('\t').Append(string.Join('\t', alias.Hostnames ?? [])).Append('\n');
        }
        return text.ToString();
    }

    /// <summary>Writes the pod's hosts file (idempotent) and returns its mount for <paramref name="container"/>, or none.</summary>
    public IReadOnlyList<MountSpec> MountFor(V1Pod pod, V1Container container, string podIp, string hostname)
    {
        if (root.Length == 0 || string.IsNullOrEmpty(podIp) || pod.Spec.HostNetwork == true) return [];
        if ((container.VolumeMounts ?? []).Any(m => m.MountPath.TrimEnd('/') == ContainerPath)) return [];
        var dir = Path.Combine(root, pod.Metadata.Uid);
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, "etc-hosts");
        var content = Content(pod, podIp, hostname);
        if (!File.Exists(path) || File.ReadAllText(path) != content)
        {
            // Written aside and renamed: a running container of the pod never reads half a file.
            var temp = path + ".tmp";
            File.WriteAllText(temp, content);
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(temp, (UnixFileMode)0b110_100_100);
            File.Move(temp, path, overwrite: true);
        }
        return [new MountSpec(ContainerPath, path)];
    }
}
