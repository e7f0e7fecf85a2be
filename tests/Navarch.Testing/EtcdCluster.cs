using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Navarch.Testing;

/// <summary>
/// A real etcd (Debian's etcd-server) of one or more members on loopback, each with its own data directory under one temp
/// directory and its own random ports. Members can be killed (SIGKILL) and started again on the same directory and ports.
/// Disposing kills every member and deletes the directory, also when the test failed.
/// This file is also compiled into Navarch.Storage.Tests (linked), so it uses nothing else from this project.
/// </summary>
public sealed class EtcdCluster : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private readonly string _root;
    private readonly Member[] _members;

    private EtcdCluster(string root, Member[] members)
    {
        _root = root;
        _members = members;
    }

    public int Count => _members.Length;

    /// <summary>The members' client URLs, as <c>--etcd-servers</c> takes them.</summary>
    public IReadOnlyList<Uri> ClientUrls => _members.Select(m => new Uri($"http://127.0.0.1:{m.ClientPort}")).ToList();

    public string ServersFlag => string.Join(',', ClientUrls.Select(u => u.ToString().TrimEnd('/')));

    public Uri ClientUrl(int member) => ClientUrls[member];

    /// <summary>Starts <paramref name="members"/> members and returns once every one reports healthy.</summary>
    public static async Task<EtcdCluster> StartAsync(int members = 1)
    {
        var root = Directory.CreateTempSubdirectory("navarch-etcd-").FullName;
        var all = Enumerable.Range(0, members).Select(i => new Member($"m{i}", Path.Combine(root, $"m{i}"), FreePort(), FreePort())).ToArray();
        var cluster = new EtcdCluster(root, all);
        try
        {
            foreach (var m in all)
                cluster.Launch(m);
            await Task.WhenAll(all.Select(m => cluster.WaitHealthyAsync(m, StartTimeout)));
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>SIGKILLs one member (no clean shutdown) and waits until it is gone.</summary>
    public async Task KillAsync(int member)
    {
        var m = _members[member];
        if (m.Process is not { HasExited: false } p) return;
        p.Kill(entireProcessTree: true);
        await p.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        m.Process = null;
    }

    /// <summary>Starts a killed member again on its directory and ports; returns once it is healthy (the cluster needs a quorum).</summary>
    public async Task RestartAsync(int member)
    {
        Launch(_members[member]);
        await WaitHealthyAsync(_members[member], StartTimeout);
    }

    /// <summary>CPU time (user + system) the member has used so far; for the benchmark's cost per operation.</summary>
    public TimeSpan CpuTime(int member) => _members[member].Process is { HasExited: false } p ? p.TotalProcessorTime : TimeSpan.Zero;

    public bool IsRunning(int member) => _members[member].Process is { HasExited: false };

    /// <summary>What the member printed so far (for failure messages).</summary>
    public string Output(int member) { lock (_members[member].Log) return _members[member].Log.ToString(); }

    private void Launch(Member m)
    {
        var cluster = string.Join(',', _members.Select(o => $"{o.Name}=http://127.0.0.1:{o.PeerPort}"));
        var psi = new ProcessStartInfo("etcd") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[]
        {
            "--name", m.Name, "--data-dir", m.Dir,
            "--listen-client-urls", $"http://127.0.0.1:{m.ClientPort}", "--advertise-client-urls", $"http://127.0.0.1:{m.ClientPort}",
            "--listen-peer-urls", $"http://127.0.0.1:{m.PeerPort}", "--initial-advertise-peer-urls", $"http://127.0.0.1:{m.PeerPort}",
            "--initial-cluster", cluster, "--initial-cluster-state", "new", "--initial-cluster-token", Path.GetFileName(_root),
            // Shorter than the defaults (100 ms / 1 s) so a test's elections take a fraction of a second, yet long enough
            // not to flap on two busy cores.
            "--heartbeat-interval", "50", "--election-timeout", "500",
            "--logger", "zap", "--log-level", "warn",
        })
            psi.ArgumentList.Add(a);
        var p = Process.Start(psi) ?? throw new InvalidOperationException("could not start etcd (is etcd-server installed? scripts/install-deps)");
        p.OutputDataReceived += (_, e) => Append(m, e.Data);
        p.ErrorDataReceived += (_, e) => Append(m, e.Data);
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        m.Process = p;
    }

    private static void Append(Member m, string? line)
    {
        if (line is null) return;
        lock (m.Log)
        {
            if (m.Log.Length < 64 * 1024) m.Log.AppendLine(line);
        }
    }

    private async Task WaitHealthyAsync(Member m, TimeSpan timeout)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < timeout)
        {
            if (m.Process is not { HasExited: false })
                throw new InvalidOperationException($"etcd member {m.Name} exited while starting:\n{Output(Array.IndexOf(_members, m))}");
            try
            {
                var body = await http.GetStringAsync($"http://127.0.0.1:{m.ClientPort}/health");
                if (body.Contains("\"health\":\"true\"", StringComparison.Ordinal)) return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
            }
            await Task.Delay(50);
        }
        throw new TimeoutException($"etcd member {m.Name} was not healthy after {timeout.TotalSeconds}s:\n{Output(Array.IndexOf(_members, m))}");
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        for (var i = 0; i < _members.Length; i++)
        {
            try { await KillAsync(i); } catch (Exception) { /* already gone */ }
        }
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }

    private sealed class Member(string name, string dir, int clientPort, int peerPort)
    {
        public string Name { get; } = name;
        public string Dir { get; } = dir;
        public int ClientPort { get; } = clientPort;
        public int PeerPort { get; } = peerPort;
        public Process? Process { get; set; }
        public StringBuilder Log { get; } = new();
    }
}
