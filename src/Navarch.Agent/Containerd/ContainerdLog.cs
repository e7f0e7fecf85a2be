namespace Navarch.Agent.Containerd;

/// <summary>Reads the end of containerd's log file for error messages.</summary>
internal static class ContainerdLog
{
    private const int TailBytes = 8192;

    /// <summary>The last <paramref name="lines"/> lines of the log at <paramref name="path"/>; empty if there is none.</summary>
    public static string Tail(string path, int lines = 20)
    {
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            file.Seek(Math.Max(0, file.Length - TailBytes), SeekOrigin.Begin);
            var text = new StreamReader(file).ReadToEnd();
            var all = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            return string.Join('\n', all.Skip(Math.Max(0, all.Length - lines)));
        }
        catch (IOException)
        {
            return "";
        }
    }
}
