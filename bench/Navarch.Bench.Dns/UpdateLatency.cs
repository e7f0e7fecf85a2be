using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using k8s;
using k8s.Models;

namespace Navarch.Bench.Dns;

/// <summary>
/// Service create → name answering: a real <c>navarch server --enable-cluster-dns</c> process; each Service is
/// created through the API and its name asked over UDP every 2 ms until it answers.
/// </summary>
internal static class UpdateLatency
{
    public static async Task<(double P50, double P99, double Max)> MeasureAsync(int services, CancellationToken ct)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "navarch.dll");
        var dataDir = Directory.CreateTempSubdirectory("navarch-bench-dns-").FullName;
        var apiPort = FreePort(SocketType.Stream, ProtocolType.Tcp);
        var dnsPort = FreePort(SocketType.Dgram, ProtocolType.Udp);
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { dll, "server", "--data-dir", dataDir, "--bind", "127.0.0.1", "--secure-port", "0", "--insecure-port", apiPort.ToString(),
                     "--disable-controller-manager", "--disable-scheduler", "--enable-cluster-dns", "--cluster-dns-port", dnsPort.ToString(),
                     "--cluster-dns-upstream", "127.0.0.1" })
            info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            using var client = new Kubernetes(new KubernetesClientConfiguration { Host = $"http://127.0.0.1:{apiPort}" });
            using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            udp.Connect(IPAddress.Loopback, dnsPort);
            udp.ReceiveTimeout = 200;
            await UntilAsync(() => AnswersAsync(udp, "dns-version.cluster.local", 16), TimeSpan.FromSeconds(60), "cluster DNS up");

            var latencies = new List<double>();
            for (var i = 0; i < services; i++)
            {
                var name = $"bench-{i}";
                var clock = Stopwatch.StartNew();
                await client.CoreV1.CreateNamespacedServiceAsync(new V1Service
                {
                    Metadata = new V1ObjectMeta { Name = name },
                    Spec = new V1ServiceSpec { Ports = [new V1ServicePort { Name = "http", Port = 80 }] },
                }, "default", cancellationToken: ct);
                await UntilAsync(() => AnswersAsync(udp, $"{name}.default.svc.cluster.local", 1), TimeSpan.FromSeconds(10), $"{name} answering");
                latencies.Add(clock.Elapsed.TotalMilliseconds);
            }
            latencies.Sort();
            return (latencies[latencies.Count / 2], latencies[Math.Min(latencies.Count - 1, (int)(latencies.Count * 0.99))], latencies[^1]);
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            Directory.Delete(dataDir, recursive: true);
        }
    }

    private static Task<bool> AnswersAsync(Socket udp, string name, ushort type)
    {
        var query = QueryPacket.For(name, type);
        QueryPacket.SetId(query, (ushort)Random.Shared.Next(1, 65535));
        udp.Send(query);
        var buffer = new byte[2048];
        try
        {
            while (true)
            {
                var n = udp.Receive(buffer);
                if (n >= 12 && QueryPacket.Id(buffer) == QueryPacket.Id(query))
                    return Task.FromResult(QueryPacket.ReturnCode(buffer) == 0 && (buffer[6] << 8 | buffer[7]) > 0);
            }
        }
        catch (SocketException) { return Task.FromResult(false); }
    }

    private static async Task UntilAsync(Func<Task<bool>> probe, TimeSpan timeout, string phase)
    {
        var clock = Stopwatch.StartNew();
        while (!await probe())
        {
            if (clock.Elapsed > timeout) throw new TimeoutException($"timed out waiting for {phase}");
            await Task.Delay(2);
        }
    }

    private static int FreePort(SocketType type, ProtocolType protocol)
    {
        using var s = new Socket(AddressFamily.InterNetwork, type, protocol);
        s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)s.LocalEndPoint!).Port;
    }
}
