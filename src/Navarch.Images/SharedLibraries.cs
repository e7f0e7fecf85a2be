namespace Navarch.Images;

/// <summary>The shared libraries an ELF file needs at run time, as <c>ldd</c> resolves them on this host.</summary>
internal static class SharedLibraries
{
    /// <summary>
    /// Absolute paths of every library <paramref name="elfPath"/> loads, transitively, the dynamic loader
    /// included; empty for a static binary. A library ldd reports "not found" throws <see cref="ImageException"/>.
    /// </summary>
    public static async Task<IReadOnlyList<string>> OfAsync(string elfPath, CancellationToken ct)
    {
        var result = await HostProcess.RunAsync("ldd", [elfPath], ct);
        // ldd exits 1 for "not a dynamic executable" (static binaries, some data ELF files).
        if (result.ExitCode != 0) return [];
        return Parse(elfPath, result.StandardOutput);
    }

    /// <summary>Reads ldd's output: "libz.so.1 => /lib/…/libz.so.1 (0x…)" and "/lib64/ld-linux-x86-64.so.2 (0x…)".</summary>
    internal static IReadOnlyList<string> Parse(string elfPath, string lddOutput)
    {
        var libraries = new List<string>();
        foreach (var raw in lddOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var arrow = raw.IndexOf("=>", StringComparison.Ordinal);
            var path = (arrow >= 0 ? raw[(arrow + 2)..] : raw).Trim();
            if (path.StartsWith("not found", StringComparison.Ordinal))
                throw new ImageException($"{elfPath} needs {raw[..arrow].Trim()}, which ldd cannot find");
            var paren = path.IndexOf(" (", StringComparison.Ordinal);
            if (paren >= 0) path = path[..paren];
            if (path.StartsWith('/')) libraries.Add(path); // linux-vdso.so.1 and "statically linked" have no path
        }
        return libraries;
    }
}
