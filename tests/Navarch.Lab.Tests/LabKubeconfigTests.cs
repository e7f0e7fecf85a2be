namespace Navarch.Lab.Tests;

[Trait("Category", "Unit")]
public sealed class LabKubeconfigTests
{
    private const string ServerWritten = """
        apiVersion: v1
        kind: Config
        clusters:
        - cluster:
            certificate-authority-data: Q0E=
            server: https://127.0.0.1:6443
          name: navarch
        current-context: kubernetes-admin@navarch
        users:
        - name: kubernetes-admin
          user:
            client-certificate-data: Q0VSVA==

        """;

    [Fact]
    public void The_servers_admin_kubeconfig_gets_the_hosts_url_and_keeps_the_rest()
    {
        var lab = LabKubeconfig.WithServer(ServerWritten, "https://127.0.0.1:16443");
        Assert.Equal(ServerWritten.Replace("server: https://127.0.0.1:6443", "server: https://127.0.0.1:16443"), lab);
    }

    [Fact]
    public void A_kubeconfig_without_a_server_is_refused_in_one_line()
    {
        var e = Assert.Throws<LabException>(() => LabKubeconfig.WithServer("apiVersion: v1\nkind: Config\n", "https://127.0.0.1:1"));
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void It_is_written_for_the_owner_alone_in_the_labs_data_dir()
    {
        var dir = Directory.CreateTempSubdirectory("navarch-lab-kubeconfig-").FullName;
        try
        {
            var source = Path.Combine(dir, "admin.kubeconfig");
            File.WriteAllText(source, ServerWritten);
            var path = LabKubeconfig.Write(dir, source, "https://127.0.0.1:16443");
            Assert.Equal(Path.Combine(dir, "kubeconfig"), path);
            Assert.Contains("server: https://127.0.0.1:16443", File.ReadAllText(path));
            if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
