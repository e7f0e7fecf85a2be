namespace Navarch.Images;

/// <summary>
/// A small client image for looking at a cluster from inside a pod: <c>nslookup</c>, <c>dig</c> and <c>host</c>
/// (Debian's bind9-dnsutils) and <c>curl</c>, with static busybox for a shell and the usual tools (busybox's own
/// wget segfaults on these machines, hence curl). Built offline from the installed packages like nginx's image.
/// </summary>
public static class DnsUtilsImage
{
    /// <summary>Stored as <c>docker.io/library/dnsutils:latest</c>.</summary>
    public const string Name = "dnsutils:latest";

    private static readonly string[] Packages = ["bind9-dnsutils", "curl", "busybox-static"];
    private static readonly string[] Applets = ["sh", "sleep", "cat", "ls", "echo", "grep", "env", "hostname", "ps"];

    public static async Task<ImageRecipe> RecipeAsync(CancellationToken ct)
    {
        var recipe = await ImageRecipes.FromDebianPackagesAsync(Name, Packages, new ImageConfig { Cmd = ["sh"] }, ct);
        // On a merged-/usr host /bin is a link to usr/bin, and the image keeps it: the applets go beside busybox.
        var bin = recipe.RootFs.Find("/bin") is { Kind: LayerEntryKind.Symlink } ? "/usr/bin" : "/bin";
        foreach (var applet in Applets)
            if (!recipe.RootFs.Contains($"{bin}/{applet}")) recipe.RootFs.AddSymlink($"{bin}/{applet}", "busybox");
        return recipe;
    }
}
