using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using Navarch.Images;

namespace Navarch.Commands;

/// <summary><c>navarch image build|import|ls</c>: offline images for containerd.</summary>
public static class ImageCommand
{
    private const string DefaultSocket = "/run/containerd/containerd.sock";

    public static Command Create()
    {
        var command = new Command("image", "Build docker-archive images offline and load them into containerd");
        command.Subcommands.Add(Build());
        command.Subcommands.Add(Import());
        command.Subcommands.Add(List());
        return command;
    }

    private static Command Build()
    {
        var name = new Option<string?>("--name") { Description = "Image NAME[:TAG] (default tag latest; a preset has its own name)" };
        var from = new Option<string?>("--from") { Description = "Directory whose tree becomes the image root" };
        var fromDeb = new Option<string[]>("--from-deb") { Description = "Debian packages (installed if missing) whose files, and the libraries they link, become the image", AllowMultipleArgumentsPerToken = true };
        var preset = new Option<string?>("--preset") { Description = "A ready-made image: nginx, pause, busybox or dnsutils (nslookup, dig, curl)" };
        preset.AcceptOnlyFromAmong("nginx", "pause", "busybox", "dnsutils");
        var entrypoint = new Option<string?>("--entrypoint") { Description = "Entrypoint: a JSON array, or words split on spaces" };
        var cmd = new Option<string?>("--cmd") { Description = "Cmd: a JSON array, or words split on spaces" };
        var workdir = new Option<string?>("--workdir") { Description = "Working directory" };
        var env = new Option<string[]>("--env") { Description = "KEY=VALUE, repeatable" };
        var expose = new Option<string[]>("--expose") { Description = "PORT/PROTO, e.g. 80/tcp; repeatable" };
        var stopSignal = new Option<string?>("--stop-signal") { Description = "Signal that stops the container, e.g. SIGQUIT" };
        var user = new Option<string?>("--user") { Description = "User (and group) the process runs as" };
        var output = new Option<string>("--output", "-o") { Description = "Tarball to write", Required = true };
        var cacheDir = new Option<string>("--cache-dir") { Description = "Where built tarballs are kept for reuse", DefaultValueFactory = _ => ImageBuilder.DefaultCacheDirectory };

        var command = new Command("build", "Build a single-layer docker-archive tarball (exactly one of --from, --from-deb, --preset)")
        {
            name, from, fromDeb, preset, entrypoint, cmd, workdir, env, expose, stopSignal, user, output, cacheDir,
        };
        command.SetAction(async (result, ct) =>
        {
            var sources = new[] { result.GetValue(from) is not null, result.GetValue(fromDeb) is { Length: > 0 }, result.GetValue(preset) is not null };
            if (sources.Count(s => s) != 1) return Fail("build", "give exactly one of --from DIR, --from-deb PKG..., --preset NAME");
            if (result.GetValue(preset) is null && result.GetValue(name) is null) return Fail("build", "--name is required with --from and --from-deb");
            return await RunAsync("build", async () =>
            {
                var config = new ImageConfig
                {
                    Entrypoint = Words(result.GetValue(entrypoint), "--entrypoint"),
                    Cmd = Words(result.GetValue(cmd), "--cmd"),
                    WorkingDir = result.GetValue(workdir),
                    Env = result.GetValue(env) ?? [],
                    ExposedPorts = result.GetValue(expose) ?? [],
                    StopSignal = result.GetValue(stopSignal),
                    User = result.GetValue(user),
                };
                var started = Stopwatch.StartNew();
                var recipe = result.GetValue(preset) switch
                {
                    "nginx" => await ImageRecipes.NginxAsync(ct),
                    "pause" => await ImageRecipes.PauseAsync(ct),
                    "busybox" => await ImageRecipes.BusyboxAsync(ct),
                    "dnsutils" => await DnsUtilsImage.RecipeAsync(ct),
                    _ when result.GetValue(from) is { } dir => ImageRecipes.FromDirectory(result.GetValue(name)!, dir, config),
                    _ => await ImageRecipes.FromDebianPackagesAsync(result.GetValue(name)!, result.GetValue(fromDeb)!, config, ct),
                };
                if (result.GetValue(preset) is not null && result.GetValue(name) is { } rename)
                    recipe = recipe with { Reference = ImageReference.Parse(rename) };
                var built = await new ImageBuilder(result.GetValue(cacheDir)!).BuildAsync(recipe, ct);
                var target = result.GetValue(output)!;
                File.Copy(built, target, overwrite: true);
                Console.WriteLine($"{recipe.Reference.FullName} → {target} ({Megabytes(new FileInfo(target).Length)}, {recipe.RootFs.Count} entries, {started.ElapsedMilliseconds} ms)");
            }, ct);
        });
        return command;
    }

    private static Command Import()
    {
        var files = new Argument<string[]>("FILE") { Description = "docker-archive or OCI tarballs (or OCI layout directories)", Arity = ArgumentArity.OneOrMore };
        var (address, ns) = (AddressOption(), NamespaceOption());
        var baseName = new Option<string?>("--base-name") { Description = "Name for OCI images that carry only a tag" };
        var snapshotter = new Option<string?>("--snapshotter") { Description = "Snapshotter to unpack into (the one CRI uses; default overlayfs)" };
        var command = new Command("import", "Load image tarballs into containerd") { files, address, ns, baseName, snapshotter };
        command.SetAction(async (result, ct) => await RunAsync("import", async () =>
        {
            foreach (var file in result.GetValue(files)!)
            {
                var started = Stopwatch.StartNew();
                var names = await ImageImporter.ImportAsync(result.GetValue(address)!, file, result.GetValue(ns)!, result.GetValue(baseName), result.GetValue(snapshotter), ct);
                Console.WriteLine($"{file}: imported {string.Join(", ", names)} in {started.ElapsedMilliseconds} ms");
            }
        }, ct));
        return command;
    }

    private static Command List()
    {
        var (address, ns) = (AddressOption(), NamespaceOption());
        var command = new Command("ls", "List the images containerd holds") { address, ns };
        command.SetAction(async (result, ct) => await RunAsync("ls", async () =>
        {
            var images = await ImageImporter.ListAsync(result.GetValue(address)!, result.GetValue(ns)!, ct);
            PrintTable(["NAME", "TAG", "IMAGE ID", "SIZE"], ImageRows(images));
        }, ct));
        return command;
    }

    /// <summary>
    /// One row per name and tag, like <c>crictl images</c>: CRI's own "sha256:&lt;id&gt;" references are folded into
    /// the named images with that ID, and show as &lt;none&gt; only when an ID has no name.
    /// </summary>
    private static List<string[]> ImageRows(IReadOnlyList<ImageSummary> images)
    {
        const string idPrefix = "sha256:";
        var named = images.Where(i => !i.Reference.StartsWith(idPrefix, StringComparison.Ordinal)).ToList();
        var rows = new List<string[]>();
        foreach (var i in images)
        {
            var shortId = i.ImageId.StartsWith(idPrefix, StringComparison.Ordinal) ? i.ImageId[idPrefix.Length..Math.Min(i.ImageId.Length, idPrefix.Length + 13)] : i.ImageId;
            if (i.Reference.StartsWith(idPrefix, StringComparison.Ordinal))
            {
                if (!named.Any(n => n.ImageId == i.ImageId)) rows.Add(["<none>", "<none>", shortId, Megabytes(i.Size)]);
                continue;
            }
            var colon = i.Reference.LastIndexOf(':');
            var tagged = colon > i.Reference.LastIndexOf('/');
            rows.Add([tagged ? i.Reference[..colon] : i.Reference, tagged ? i.Reference[(colon + 1)..] : "<none>", shortId, Megabytes(i.Size)]);
        }
        return rows;
    }

    private static Option<string> AddressOption() =>
        new("--address", "-a") { Description = "containerd socket", DefaultValueFactory = _ => DefaultSocket };

    private static Option<string> NamespaceOption() =>
        new("--namespace", "-n") { Description = "containerd namespace (k8s.io is the one CRI serves)", DefaultValueFactory = _ => ImageImporter.CriNamespace };

    /// <summary>'["nginx","-g","daemon off;"]' → the array; "sleep 3600" → [sleep, 3600]; null → [].</summary>
    internal static IReadOnlyList<string> Words(string? value, string option)
    {
        if (string.IsNullOrWhiteSpace(value)) return [];
        if (!value.TrimStart().StartsWith('[')) return value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        try { return JsonSerializer.Deserialize<string[]>(value) ?? []; }
        catch (JsonException e) { throw new ArgumentException($"{option}: not a JSON array of strings: {e.Message}"); }
    }

    private static string Megabytes(long bytes) => $"{bytes / 1048576.0:0.0} MB";

    private static void PrintTable(string[] header, IReadOnlyList<string[]> rows)
    {
        var widths = header.Select((h, i) => Math.Max(h.Length, rows.Select(r => r[i].Length).DefaultIfEmpty(0).Max())).ToArray();
        foreach (var row in rows.Prepend(header))
            Console.WriteLine(string.Join("   ", row.Select((c, i) => i == row.Length - 1 ? c : c.PadRight(widths[i]))));
    }

    private static int Fail(string verb, string message)
    {
        Console.Error.WriteLine($"navarch image {verb}: {message}");
        return 2;
    }

    private static async Task<int> RunAsync(string verb, Func<Task> run, CancellationToken ct)
    {
        try
        {
            await run();
            return 0;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return 130;
        }
        catch (Exception e) when (e is ImageException or ArgumentException or IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"navarch image {verb}: {e.Message}");
            return 1;
        }
    }
}
