using Grpc.Core;
using Navarch.Cri;
using V1 = Navarch.Cri.V1;

namespace Navarch.Agent.Tests.Cri;

[Trait("Category", "Unit")]
public sealed class CriAdapterTests
{
    [Theory]
    [InlineData(StatusCode.NotFound, RuntimeErrorCode.NotFound)]
    [InlineData(StatusCode.AlreadyExists, RuntimeErrorCode.AlreadyExists)]
    [InlineData(StatusCode.DeadlineExceeded, RuntimeErrorCode.DeadlineExceeded)]
    [InlineData(StatusCode.Unavailable, RuntimeErrorCode.Unavailable)]
    [InlineData(StatusCode.Unimplemented, RuntimeErrorCode.Unimplemented)]
    [InlineData(StatusCode.FailedPrecondition, RuntimeErrorCode.FailedPrecondition)]
    [InlineData(StatusCode.Internal, RuntimeErrorCode.Internal)]
    [InlineData(StatusCode.Unknown, RuntimeErrorCode.Unknown)]
    public void Grpc_statuses_map_to_runtime_codes(StatusCode status, RuntimeErrorCode code)
    {
        var error = RpcErrors.Translate(RuntimeOperation.StartContainer, new RpcException(new Status(status, "detail")));
        Assert.Equal(code, error.Code);
        Assert.Equal("StartContainer: detail", error.Message);
    }

    [Theory]
    [InlineData("unix:///run/containerd/containerd.sock", "/run/containerd/containerd.sock")]
    [InlineData("/run/n.sock", "/run/n.sock")]
    public void Endpoints_name_a_unix_socket(string endpoint, string path) =>
        Assert.Equal(path, RuntimeEndpoint.SocketPath(endpoint));

    [Theory]
    [InlineData("tcp://127.0.0.1:1234")]
    [InlineData("unix://relative.sock")]
    public void Other_endpoints_are_refused(string endpoint) =>
        Assert.Throws<ArgumentException>(() => RuntimeEndpoint.SocketPath(endpoint));

    [Fact]
    public void A_sandbox_spec_becomes_a_cri_config_with_every_field_the_pod_sync_sets()
    {
        var config = CriMapping.ToCri(new SandboxSpec
        {
            Name = "web", Namespace = "prod", Uid = "u1", Attempt = 2, Hostname = "web", LogDirectory = "/var/log/pods/x", CgroupParent = "/navarch/u1",
            Dns = new DnsSpec(["10.0.0.10"], ["prod.svc.cluster.local"], ["ndots:5"]),
            PortMappings = [new PortMapping(PortProtocol.Udp, 53, 5353)],
            Labels = new Dictionary<string, string> { [RuntimeLabels.PodUid] = "u1" },
        });
        Assert.Equal(("web", "prod", "u1", 2u), (config.Metadata.Name, config.Metadata.Namespace, config.Metadata.Uid, config.Metadata.Attempt));
        Assert.Equal("/navarch/u1", config.Linux.CgroupParent);
        Assert.Equal(["ndots:5"], config.DnsConfig.Options);
        Assert.Equal((V1.Protocol.Udp, 53, 5353), (config.PortMappings[0].Protocol, config.PortMappings[0].ContainerPort, config.PortMappings[0].HostPort));
        Assert.Equal("u1", config.Labels[RuntimeLabels.PodUid]);
    }

    [Fact]
    public void A_container_spec_becomes_a_cri_config_with_env_mounts_and_limits()
    {
        var config = CriMapping.ToCri(new ContainerSpec
        {
            Name = "app", Image = "nginx:1", Attempt = 3, Command = ["nginx"], Args = ["-g", "daemon off;"], WorkingDir = "/srv",
            Env = [new("A", "1"), new("B", "2")], Mounts = [new MountSpec("/data", "/var/lib/x", ReadOnly: true)], LogPath = "app/3.log",
            Resources = LinuxResources.FromKubernetes(250, 500, 1 << 20),
        });
        Assert.Equal(["A=1", "B=2"], config.Envs.Select(e => $"{e.Key}={e.Value}"));
        Assert.True(config.Mounts[0].Readonly);
        Assert.Equal((256L, 50_000L, 1L << 20), (config.Linux.Resources.CpuShares, config.Linux.Resources.CpuQuota, config.Linux.Resources.MemoryLimitInBytes));
        Assert.Equal(3u, config.Metadata.Attempt);
    }

    [Theory]
    [InlineData(0L, null)]
    [InlineData(1_700_000_000_123_456_789L, "2023-11-14T22:13:20.1234567+00:00")]
    public void Cri_nanosecond_times_convert_with_zero_as_never(long nanos, string? expected) =>
        Assert.Equal(expected, CriMapping.FromNanos(nanos)?.ToString("o"));
}
