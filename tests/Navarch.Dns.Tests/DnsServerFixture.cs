using System.Net;
using System.Net.Sockets;
using k8s;
using Navarch.Testing;

namespace Navarch.Dns.Tests;

/// <summary>
/// A real <c>navarch server</c> with cluster DNS on a free loopback port, and as its only upstream resolver a socket
/// that reads questions and never answers (the lab's situation: no way out).
/// </summary>
public sealed class DnsServerFixture : IAsyncLifetime
{
    private Socket? _silentUpstream;

    public ServerProcess Server { get; private set; } = null!;
    public IKubernetes Client { get; private set; } = null!;
    public int DnsPort { get; private set; }

    public async Task InitializeAsync()
    {
        // A loopback address of our own, so parallel runs never share the upstream's port 53.
        var upstream = new IPAddress([127, 77, (byte)Random.Shared.Next(1, 255), (byte)Random.Shared.Next(1, 255)]);
        _silentUpstream = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        _silentUpstream.Bind(new IPEndPoint(upstream, 53));
        DnsPort = FreeUdpAndTcpPort();
        Server = await ServerProcess.StartSecureAsync("--disable-controller-manager", "--disable-scheduler", "--enable-cluster-dns",
            "--cluster-dns-port", DnsPort.ToString(), "--cluster-dns-upstream", upstream.ToString());
        Client = new Kubernetes(new KubernetesClientConfiguration { Host = Server.Url });
        await Poll.UntilAsync("cluster DNS answering dns-version.cluster.local",
            async () => (await Dig.QueryAsync(DnsPort, "dns-version.cluster.local", "TXT")).Status == "NOERROR",
            TimeSpan.FromSeconds(20), () => Server.Output);
    }

    public async Task DisposeAsync()
    {
        Client?.Dispose();
        if (Server is not null) await Server.DisposeExpectingNoRefusalsAsync();
        _silentUpstream?.Dispose();
    }

    private static int FreeUdpAndTcpPort()
    {
        while (true)
        {
            using var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            tcp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            var port = ((IPEndPoint)tcp.LocalEndPoint!).Port;
            using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            try
            {
                udp.Bind(new IPEndPoint(IPAddress.Loopback, port));
                return port;
            }
            catch (SocketException) { }
        }
    }
}
