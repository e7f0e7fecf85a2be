namespace Navarch.Images;

/// <summary>Queries (and, when missing, installs) Debian packages on this host through dpkg-query and apt-get.</summary>
public static class DebianPackages
{
    /// <summary>Documentation that an image does not need (copyright files are kept).</summary>
    private static readonly string[] SkippedPrefixes = ["/usr/share/doc/", "/usr/share/man/", "/usr/share/info/", "/usr/share/lintian/"];

    /// <summary>
    /// Installs the packages that are not installed with <c>apt-get install --no-install-recommends</c>
    /// (running <c>apt-get update</c> once if the first attempt fails). Needs root for that.
    /// </summary>
    public static async Task EnsureInstalledAsync(IReadOnlyList<string> packages, CancellationToken ct)
    {
        var missing = new List<string>();
        foreach (var p in packages)
            if (!await IsInstalledAsync(p, ct)) missing.Add(p);
        if (missing.Count == 0) return;
        if (Environment.UserName != "root")
            throw new ImageException($"package(s) {string.Join(' ', missing)} not installed; installing them needs root");

        var env = new Dictionary<string, string> { ["DEBIAN_FRONTEND"] = "noninteractive" };
        string[] install = ["install", "-y", "-q", "--no-install-recommends", .. missing];
        var result = await HostProcess.RunAsync("apt-get", install, ct, env);
        if (result.ExitCode != 0)
        {
            await HostProcess.RunAsync("apt-get", ["update", "-q"], ct, env);
            result = await HostProcess.RunAsync("apt-get", install, ct, env);
        }
        if (result.ExitCode != 0)
            throw new ImageException($"apt-get install {string.Join(' ', missing)}: {result.FirstErrorLine}");
    }

    /// <summary>True when dpkg reports the package installed.</summary>
    public static async Task<bool> IsInstalledAsync(string package, CancellationToken ct)
    {
        var result = await HostProcess.RunAsync("dpkg-query", ["-W", "-f=${db:Status-Status}", package], ct);
        return result.ExitCode == 0 && result.StandardOutput.Trim() == "installed";
    }

    /// <summary>
    /// The packages plus, transitively, the installed packages they depend on that are built from the same
    /// source package (<c>nginx</c> → <c>nginx-common</c>, which holds its configuration), sorted.
    /// Other dependencies are left out: libraries come in through what the binaries link.
    /// </summary>
    public static async Task<IReadOnlyList<string>> WithSameSourceDependenciesAsync(IReadOnlyList<string> packages, CancellationToken ct)
    {
        var result = new SortedSet<string>(StringComparer.Ordinal);
        var pending = new Queue<string>(packages);
        while (pending.TryDequeue(out var package))
        {
            if (!result.Add(package)) continue;
            var (source, depends) = await SourceAndDependsAsync(package, ct);
            foreach (var dependency in DependencyNames(depends))
            {
                if (result.Contains(dependency) || !await IsInstalledAsync(dependency, ct)) continue;
                if ((await SourceAndDependsAsync(dependency, ct)).Source == source) pending.Enqueue(dependency);
            }
        }
        return [.. result];
    }

    /// <summary>The paths dpkg installed for the package (directories included), without documentation.</summary>
    public static async Task<IReadOnlyList<string>> FilesAsync(string package, CancellationToken ct)
    {
        var output = await HostProcess.OutputAsync("dpkg-query", ["-L", package], ct);
        return [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(p => p.StartsWith('/') && p != "/." && !IsDocumentation(p))];
    }

    private static bool IsDocumentation(string path) =>
        SkippedPrefixes.Any(prefix => path.StartsWith(prefix, StringComparison.Ordinal) || path + "/" == prefix)
        && !path.EndsWith("/copyright", StringComparison.Ordinal)
        && !(path.StartsWith("/usr/share/doc/", StringComparison.Ordinal) && path.Count(c => c == '/') == 4);

    private static async Task<(string Source, string Depends)> SourceAndDependsAsync(string package, CancellationToken ct)
    {
        var output = await HostProcess.OutputAsync("dpkg-query", ["-W", "-f=${source:Package}\t${Pre-Depends}, ${Depends}", package], ct);
        var tab = output.IndexOf('\t');
        return (output[..tab].Trim(), output[(tab + 1)..]);
    }

    /// <summary>"libc6 (>= 2.34), foo | bar, baz:any" → libc6, foo, bar, baz.</summary>
    internal static IEnumerable<string> DependencyNames(string depends) =>
        depends.Split([',', '|'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(d => d.Split([' ', '(', ':', '['], 2)[0])
            .Where(d => d.Length > 0)
            .Distinct(StringComparer.Ordinal);
}
