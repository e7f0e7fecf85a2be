namespace Navarch.Images;

/// <summary>
/// An image name as containerd stores it: <c>nginx</c> → <c>docker.io/library/nginx:latest</c>,
/// <c>navarch/pause:3.9</c> → <c>docker.io/navarch/pause:3.9</c> (the Docker normalisation that both
/// <c>ctr images import</c> and CRI's image lookup apply, so a pod asking for <c>nginx</c> finds it).
/// </summary>
public sealed record ImageReference(string Domain, string Path, string Tag)
{
    private const string DefaultDomain = "docker.io";
    private const string OfficialRepositoryPrefix = "library/";

    /// <summary>The normalised full name, e.g. <c>docker.io/library/nginx:latest</c>.</summary>
    public string FullName => $"{Domain}/{Path}:{Tag}";

    /// <summary>The short form Docker prints and writes into <c>RepoTags</c>, e.g. <c>nginx:latest</c>.</summary>
    public string FamiliarName
    {
        get
        {
            if (Domain != DefaultDomain) return FullName;
            var path = Path.StartsWith(OfficialRepositoryPrefix, StringComparison.Ordinal) ? Path[OfficialRepositoryPrefix.Length..] : Path;
            return $"{path}:{Tag}";
        }
    }

    /// <summary>The repository without domain shortening, e.g. <c>docker.io/library/nginx</c>.</summary>
    public string Repository => $"{Domain}/{Path}";

    /// <summary>Parses NAME[:TAG]; digests (<c>@sha256:…</c>) and upper-case names are rejected with <see cref="ArgumentException"/>.</summary>
    public static ImageReference Parse(string name)
    {
        if (string.IsNullOrWhiteSpace(name)) throw new ArgumentException("image name is empty");
        if (name.Contains('@')) throw new ArgumentException($"image name {name}: digests are not supported, use NAME:TAG");
        if (name.Any(char.IsUpper)) throw new ArgumentException($"image name {name}: repository names must be lowercase");

        var slash = name.IndexOf('/');
        string domain, rest;
        var first = slash < 0 ? "" : name[..slash];
        if (slash >= 0 && (first.Contains('.') || first.Contains(':') || first == "localhost"))
        {
            domain = first;
            rest = name[(slash + 1)..];
        }
        else
        {
            domain = DefaultDomain;
            rest = name;
        }

        // A tag is the part after the last ':' that comes after the last '/'.
        var colon = rest.LastIndexOf(':');
        var tag = "latest";
        if (colon > rest.LastIndexOf('/'))
        {
            tag = rest[(colon + 1)..];
            rest = rest[..colon];
        }
        if (rest.Length == 0 || tag.Length == 0) throw new ArgumentException($"image name {name}: expected NAME[:TAG]");
        if (domain == DefaultDomain && !rest.Contains('/')) rest = OfficialRepositoryPrefix + rest;
        return new ImageReference(domain, rest, tag);
    }

    public override string ToString() => FullName;
}
