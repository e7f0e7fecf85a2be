using System.Diagnostics;
using k8s;
using k8s.Models;
using Navarch.Integration.Tests.Fixtures;
using Navarch.Testing;

namespace Navarch.Integration.Tests;

/// <summary><c>navarch server --storage-backend etcd</c>: the store is chosen by flag, and etcd holds upstream's key layout.</summary>
[Trait("Category", "Integration")]
public sealed class EtcdBackendTests
{
    [Fact]
    public async Task A_server_on_etcd_serves_and_etcdctl_lists_its_objects_under_registry()
    {
        await using var etcd = await EtcdCluster.StartAsync();
        await using var server = await ServerProcess.StartAsync([.. ServerFixture.ApiServerOnly, "--storage-backend", "etcd", "--etcd-servers", etcd.ServersFlag]);
        using var client = new Kubernetes(new KubernetesClientConfiguration { Host = server.Url });

        var created = await client.CoreV1.CreateNamespacedPodAsync(Objects.Pod("web"), "default");
        var read = await client.CoreV1.ReadNamespacedPodAsync("web", "default");

        Assert.Equal(created.Metadata.ResourceVersion, read.Metadata.ResourceVersion);
        var keys = await RunAsync("etcdctl", "--endpoints", etcd.ServersFlag, "get", "--prefix", "/registry", "--keys-only");
        Assert.Contains("/registry/pods/default/web", keys.Output);
        Assert.Contains("/registry/namespaces/default", keys.Output);
        Assert.Contains("/registry/services/specs/default/kubernetes", keys.Output);
        Assert.Contains("/registry/services/endpoints/default/kubernetes", keys.Output);
        var rv = await RunAsync("etcdctl", "--endpoints", etcd.ServersFlag, "get", "/registry/pods/default/web", "-w", "fields");
        Assert.Contains($"\"ModRevision\" : {created.Metadata.ResourceVersion}", rv.Output); // resourceVersion is etcd's mod_revision
    }

    [Theory]
    [InlineData("--storage-backend", "mysql", "--storage-backend: \"mysql\" is not one of sqlite, etcd")]
    [InlineData("--storage-backend", "etcd", "--etcd-servers is required with --storage-backend etcd")]
    [InlineData("--etcd-servers", "tcp://127.0.0.1:1", "--etcd-servers: \"tcp://127.0.0.1:1\" is not an http:// or https:// URL")]
    public async Task Bad_storage_flags_fail_with_one_line_naming_the_flag(string flag, string value, string expected)
    {
        var args = new List<string> { Path.Combine(AppContext.BaseDirectory, "navarch.dll"), "server", "--insecure-port", "0", flag, value };
        if (flag == "--etcd-servers") args.InsertRange(2, ["--storage-backend", "etcd"]);

        var result = await RunAsync("dotnet", [.. args]);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal($"navarch server: {expected}", result.Error.Trim());
    }

    internal sealed record Run(int ExitCode, string Output, string Error);

    /// <summary>Runs a tool (etcdctl with the v3 API) to its end, within 30 s.</summary>
    internal static async Task<Run> RunAsync(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.Environment["ETCDCTL_API"] = "3";
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEndAsync();
        var error = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        return new Run(p.ExitCode, await output, await error);
    }
}
