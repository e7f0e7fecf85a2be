using System.CommandLine;
using System.Net;
using Microsoft.Extensions.Logging;
using Navarch.Dns;
using Navarch.Dns.Hosting;

namespace Navarch.Commands;

/// <summary>The cluster DNS flags of <c>navarch server</c>, which runs the DNS server beside the API server (docs/cluster-dns.md).</summary>
public sealed class ClusterDnsFlags
{
    public Option<bool> Enable { get; } = new("--enable-cluster-dns") { Description = "Serve cluster DNS on the --bind address and publish it as kube-system/kube-dns at the service range's 10th address" };
    public Option<int> Port { get; } = new("--cluster-dns-port") { Description = "UDP and TCP port of cluster DNS", DefaultValueFactory = _ => 53 };
    public Option<string> Domain { get; } = new("--cluster-domain") { Description = "The cluster's DNS domain", DefaultValueFactory = _ => ClusterDnsOptions.DefaultDomain };
    public Option<string[]> Upstreams { get; } = new("--cluster-dns-upstream") { Description = "Resolvers for names outside the cluster domain (default: the nameservers of /etc/resolv.conf)", AllowMultipleArgumentsPerToken = true };

    public void AddTo(Command command)
    {
        command.Options.Add(Enable);
        command.Options.Add(Port);
        command.Options.Add(Domain);
        command.Options.Add(Upstreams);
    }

    /// <summary>The options from the flags, or null when cluster DNS is off. Throws <see cref="ArgumentException"/> naming a bad flag.</summary>
    public ClusterDnsOptions? Options(ParseResult result, string bind)
    {
        if (!result.GetValue(Enable)) return null;
        var upstreams = result.GetValue(Upstreams) is { Length: > 0 } given
            ? given.Select(u => IPAddress.TryParse(u, out var ip) ? ip : throw new ArgumentException($"--cluster-dns-upstream: \"{u}\" is not an IP address")).ToList()
            : ClusterDnsOptions.UpstreamsFrom(File.Exists("/etc/resolv.conf") ? File.ReadAllText("/etc/resolv.conf") : "");
        var options = new ClusterDnsOptions
        {
            ClusterDomain = result.GetValue(Domain)!,
            Port = result.GetValue(Port),
            Address = IPAddress.TryParse(bind, out var address) ? address : IPAddress.Loopback,
            Upstreams = upstreams,
        };
        options.Validate();
        return options;
    }

    /// <summary>Starts cluster DNS over the API through <paramref name="client"/>, with kube-dns at the range's 10th address.</summary>
    public static Task<ClusterDnsHost> StartAsync(k8s.IKubernetes client, k8s.IKubernetes serviceWriter, ClusterDnsOptions options, string serviceCidr,
        ILoggerFactory loggers, CancellationToken ct) =>
        ClusterDnsHost.StartAsync(client, options, KubeDnsService.ClusterIpFor(serviceCidr), loggers, ct, serviceWriter);
}
