namespace Navarch.Lab;

/// <summary>
/// The lab's admin kubeconfig for kubectl on this host: the primary API server's own admin kubeconfig (its cluster CA,
/// the admin's client certificate in system:masters), with the server set to the host's loopback port that forwards to
/// the secure port in the master's namespace (the host may send only to 127.0.0.0/8). Written 0600 at
/// <c>DATADIR/kubeconfig</c>; <c>navarch down</c> deletes it with the lab's data.
/// </summary>
public static class LabKubeconfig
{
    public const string FileName = "kubeconfig";

    /// <summary>The file a server writes in its data directory (ClusterPki.AdminKubeconfigFile).</summary>
    public const string ServerAdminFile = "admin.kubeconfig";

    public static string PathIn(string dataDir) => Path.Combine(dataDir, FileName);

    /// <summary>The host's URL of the secure port.</summary>
    public static string HostUrl(int hostSecurePort) => $"https://127.0.0.1:{hostSecurePort}";

    /// <summary>Copies <paramref name="serverKubeconfig"/> to the lab's kubeconfig with <paramref name="serverUrl"/>; returns its path.</summary>
    public static string Write(string dataDir, string serverKubeconfig, string serverUrl)
    {
        var text = WithServer(File.ReadAllText(serverKubeconfig), serverUrl);
        var path = PathIn(dataDir);
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        // 0600 from the start: it holds a key of system:masters.
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        File.Delete(path);
        using (var file = new StreamWriter(path, options)) file.Write(text);
        return path;
    }

    /// <summary>The kubeconfig with every cluster's <c>server:</c> set to <paramref name="serverUrl"/> (the server writes one cluster).</summary>
    public static string WithServer(string kubeconfig, string serverUrl)
    {
        var lines = kubeconfig.Split('\n');
        var replaced = 0;
        for (var i = 0; i < lines.Length; i++)
        {
            var trimmed = lines[i].TrimStart();
            if (!trimmed.StartsWith("server: ", StringComparison.Ordinal)) continue;
            lines[i] = lines[i][..(lines[i].Length - trimmed.Length)] + "server: " + serverUrl;
            replaced++;
        }
        if (replaced == 0) throw new LabException("the API server's admin kubeconfig names no server");
        return string.Join('\n', lines);
    }
}
