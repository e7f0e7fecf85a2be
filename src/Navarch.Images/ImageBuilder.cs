using System.Security.Cryptography;
using System.Text;

namespace Navarch.Images;

/// <summary>
/// Builds docker-archive tarballs from <see cref="ImageRecipe"/>s into a cache directory, named by a hash of
/// everything that goes into them (name, config, and every entry's path, mode, owner, and size and mtime of
/// host files), so a second build of unchanged inputs returns the cached tarball without writing it again.
/// </summary>
public sealed class ImageBuilder(string cacheDirectory)
{
    /// <summary>Bumped when the tarball layout changes, so old cache entries are not reused.</summary>
    private const string FormatVersion = "navarch-docker-archive-v1";

    /// <summary>$XDG_CACHE_HOME/navarch/images, else ~/.cache/navarch/images.</summary>
    public static string DefaultCacheDirectory
    {
        get
        {
            var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
            var root = string.IsNullOrEmpty(xdg) ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache") : xdg;
            return Path.Combine(root, "navarch", "images");
        }
    }

    public string CacheDirectory { get; } = cacheDirectory;

    /// <summary>Builds the image of a directory tree (see <see cref="ImageRecipes.FromDirectory"/>); returns the tarball's path.</summary>
    public Task<string> BuildFromDirectoryAsync(string name, string directory, ImageConfig config, CancellationToken ct) =>
        BuildAsync(ImageRecipes.FromDirectory(name, directory, config), ct);

    /// <summary>Builds an image of installed Debian packages (see <see cref="ImageRecipes.FromDebianPackagesAsync"/>); returns the tarball's path.</summary>
    public async Task<string> BuildFromDebianPackagesAsync(string name, IReadOnlyList<string> packages, ImageConfig config, CancellationToken ct) =>
        await BuildAsync(await ImageRecipes.FromDebianPackagesAsync(name, packages, config, ct), ct);

    /// <summary>Builds <see cref="ImageRecipes.PauseName"/>; returns the tarball's path.</summary>
    public async Task<string> BuildPauseAsync(CancellationToken ct) => await BuildAsync(await ImageRecipes.PauseAsync(ct), ct);

    /// <summary>Builds <see cref="ImageRecipes.BusyboxName"/>; returns the tarball's path.</summary>
    public async Task<string> BuildBusyboxAsync(CancellationToken ct) => await BuildAsync(await ImageRecipes.BusyboxAsync(ct), ct);

    /// <summary>Builds <see cref="ImageRecipes.NginxName"/> from Debian's nginx; returns the tarball's path.</summary>
    public async Task<string> BuildNginxAsync(CancellationToken ct) => await BuildAsync(await ImageRecipes.NginxAsync(ct), ct);

    /// <summary>Builds <see cref="ImageRecipes.NginxV2Name"/> (nginx with another page); returns the tarball's path.</summary>
    public async Task<string> BuildNginxV2Async(CancellationToken ct) => await BuildAsync(await ImageRecipes.NginxV2Async(ct), ct);

    /// <summary>
    /// Returns the cached tarball of <paramref name="recipe"/>, writing it first if absent. Concurrent builds
    /// of one recipe are safe: each writes a temporary file and renames it into place.
    /// </summary>
    public Task<string> BuildAsync(ImageRecipe recipe, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        Directory.CreateDirectory(CacheDirectory);
        var safeName = string.Concat(recipe.Reference.FamiliarName.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' ? c : '_'));
        var path = Path.Combine(CacheDirectory, $"{safeName}-{CacheKey(recipe)[..16]}.tar");
        if (File.Exists(path)) return Task.FromResult(path);

        var temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        try
        {
            using (var output = File.Create(temporary))
                DockerArchiveWriter.Write(recipe.Reference, recipe.Config, recipe.RootFs, output, CacheDirectory);
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
        return Task.FromResult(path);
    }

    /// <summary>A hex SHA-256 over the recipe's inputs; host files count by size and modification time.</summary>
    internal static string CacheKey(ImageRecipe recipe)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        void Add(string text) => hash.AppendData(Encoding.UTF8.GetBytes(text + "\n"));
        Add(FormatVersion);
        Add(recipe.Reference.FullName);
        hash.AppendData(DockerArchiveWriter.ConfigJson(recipe.Config, diffId: ""));
        foreach (var e in recipe.RootFs.Entries)
        {
            var source = e switch
            {
                { Content: { } bytes } => Convert.ToHexStringLower(SHA256.HashData(bytes)),
                { HostSource: { } host } => HostFileStamp(host),
                _ => "",
            };
            Add($"{e.Path}\0{e.Kind}\0{(int)e.Mode}\0{e.Uid}\0{e.Gid}\0{e.LinkTarget}\0{source}");
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static string HostFileStamp(string path)
    {
        var info = new FileInfo(path);
        return info.Exists ? $"{path}\0{info.Length}\0{info.LastWriteTimeUtc.Ticks}" : $"{path}\0missing";
    }
}
