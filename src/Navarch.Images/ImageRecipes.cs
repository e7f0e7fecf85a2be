namespace Navarch.Images;

/// <summary>
/// Recipes for the images Navarch builds: from a directory, from installed Debian packages, and the
/// presets the lab and tests preload (pause, busybox, nginx).
/// </summary>
public static class ImageRecipes
{
    /// <summary>The sandbox ("pause") image; containerd stores it as <c>docker.io/navarch/pause:3.9</c>.</summary>
    public const string PauseName = "navarch/pause:3.9";
    /// <summary>Stored as <c>docker.io/library/busybox:latest</c>.</summary>
    public const string BusyboxName = "busybox:latest";
    /// <summary>Stored as <c>docker.io/library/nginx:latest</c>, what a pod asking for <c>nginx</c> resolves to.</summary>
    public const string NginxName = "nginx:latest";
    /// <summary>The same nginx serving <see cref="NginxV2Page"/> instead of the welcome page: a rollout to it shows from any node with curl.</summary>
    public const string NginxV2Name = "nginx:v2";

    /// <summary>The page of <see cref="NginxV2Name"/>; its title differs from the welcome page's "Welcome to nginx!".</summary>
    public const string NginxV2Page = """
        <!DOCTYPE html>
        <html>
        <head><title>nginx v2</title></head>
        <body>
        <h1>Welcome to nginx v2!</h1>
        <p>The second web image of the Navarch lab: Debian's nginx with this page, to watch a rollout.</p>
        </body>
        </html>

        """;

    private const string HostBusybox = "/bin/busybox";

    /// <summary>
    /// PID 1 of the pause container: sleeps until killed, exits on SIGTERM/SIGINT (a trap installs the
    /// handler PID 1 needs to see them at all) and reaps orphans while it waits (ash's wait collects any child).
    /// </summary>
    internal const string PauseScript = "trap 'exit 0' TERM INT; while :; do sleep 2147483647 & wait; done";

    /// <summary>The tree under <paramref name="directory"/> as the image root, files owned by root (like a Dockerfile COPY).</summary>
    public static ImageRecipe FromDirectory(string name, string directory, ImageConfig config)
    {
        config.Validate();
        var reference = ImageReference.Parse(name);
        var rootFs = new RootFs();
        new HostFileCollector(rootFs, keepOwners: false).AddTree(directory);
        return new ImageRecipe(reference, config, rootFs);
    }

    /// <summary>
    /// The files of the Debian packages (installed first if missing) and of their same-source dependencies,
    /// every shared library their ELF files link, and <see cref="SystemFiles"/>.
    /// </summary>
    public static async Task<ImageRecipe> FromDebianPackagesAsync(string name, IReadOnlyList<string> packages, ImageConfig config, CancellationToken ct)
    {
        config.Validate();
        var reference = ImageReference.Parse(name);
        if (packages.Count == 0) throw new ArgumentException("no Debian packages given");
        await DebianPackages.EnsureInstalledAsync(packages, ct);
        var rootFs = new RootFs();
        var collector = new HostFileCollector(rootFs);
        foreach (var package in await DebianPackages.WithSameSourceDependenciesAsync(packages, ct))
            foreach (var path in await DebianPackages.FilesAsync(package, ct))
                collector.AddPath(path);
        await collector.AddSharedLibrariesAsync(ct);
        SystemFiles.AddTo(rootFs);
        return new ImageRecipe(reference, config, rootFs);
    }

    /// <summary>
    /// Debian's nginx, set up as its maintainer scripts and Docker's official image would: the default site
    /// enabled, the welcome page in /var/www/html, logs to the container's stdout/stderr, in the foreground.
    /// </summary>
    public static Task<ImageRecipe> NginxAsync(CancellationToken ct) => NginxAsync(NginxName, page: null, ct);

    /// <summary><see cref="NginxAsync(CancellationToken)"/> serving <see cref="NginxV2Page"/>, named <see cref="NginxV2Name"/>.</summary>
    public static Task<ImageRecipe> NginxV2Async(CancellationToken ct) => NginxAsync(NginxV2Name, NginxV2Page, ct);

    private static async Task<ImageRecipe> NginxAsync(string name, string? page, CancellationToken ct)
    {
        var config = new ImageConfig
        {
            Cmd = ["nginx", "-g", "daemon off;"],
            ExposedPorts = ["80/tcp"],
            StopSignal = "SIGQUIT", // nginx's graceful shutdown, as the official image
        };
        var recipe = await FromDebianPackagesAsync(name, ["nginx"], config, ct);
        var rootFs = recipe.RootFs;
        // What nginx-common's postinst does: enable the default site, install the welcome page.
        rootFs.AddSymlink("/etc/nginx/sites-enabled/default", "/etc/nginx/sites-available/default");
        if (page is null) rootFs.AddHostFile("/var/www/html/index.nginx-debian.html", "/usr/share/nginx/html/index.html", RootFs.FileMode);
        else rootFs.AddFile("/var/www/html/index.nginx-debian.html", page);
        // So that kubectl logs shows nginx's logs (the official image does the same).
        rootFs.AddSymlink("/var/log/nginx/access.log", "/dev/stdout");
        rootFs.AddSymlink("/var/log/nginx/error.log", "/dev/stderr");
        return recipe;
    }

    /// <summary>Busybox (static) with every applet linked in /bin; runs <c>sh</c> by default.</summary>
    public static async Task<ImageRecipe> BusyboxAsync(CancellationToken ct)
    {
        var rootFs = await BusyboxRootFsAsync(await AppletsAsync(ct), ct);
        SystemFiles.AddTo(rootFs);
        return new ImageRecipe(ImageReference.Parse(BusyboxName), new ImageConfig { Cmd = ["sh"] }, rootFs);
    }

    /// <summary>The sandbox image: static busybox running <see cref="PauseScript"/>.</summary>
    public static async Task<ImageRecipe> PauseAsync(CancellationToken ct)
    {
        var rootFs = await BusyboxRootFsAsync(["sh", "sleep"], ct);
        var config = new ImageConfig { Entrypoint = ["/bin/sh", "-c", PauseScript] };
        return new ImageRecipe(ImageReference.Parse(PauseName), config, rootFs);
    }

    private static async Task<RootFs> BusyboxRootFsAsync(IEnumerable<string> applets, CancellationToken ct)
    {
        await DebianPackages.EnsureInstalledAsync(["busybox-static"], ct);
        var source = new FileInfo(HostBusybox).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? HostBusybox;
        var rootFs = new RootFs();
        rootFs.AddHostFile("/bin/busybox", source, RootFs.ExecutableMode);
        foreach (var applet in applets.Where(a => a != "busybox" && !a.Contains('/')))
            rootFs.AddSymlink($"/bin/{applet}", "busybox");
        return rootFs;
    }

    private static async Task<IReadOnlyList<string>> AppletsAsync(CancellationToken ct)
    {
        await DebianPackages.EnsureInstalledAsync(["busybox-static"], ct);
        var output = await HostProcess.OutputAsync(HostBusybox, ["--list"], ct);
        return [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
    }
}
