using System.Text.RegularExpressions;

namespace Navarch.Api.Defaulting;

/// <summary>The tag of a container image reference, as upstream's parsers.ParseImageName reports it.</summary>
public static partial class ImageReference
{
    // One path component of a repository name (docker/distribution's reference grammar).
    [GeneratedRegex("^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*\\z")]
    private static partial Regex PathComponent();

    /// <summary>
    /// The image's tag: the explicit one, "latest" when neither tag nor digest is given, "" for a
    /// digest-only reference or a name that does not parse.
    /// </summary>
    public static string Tag(string? image)
    {
        if (string.IsNullOrEmpty(image))
        {
            return "";
        }
        var at = image.IndexOf('@', StringComparison.Ordinal);
        var hasDigest = at >= 0;
        var name = hasDigest ? image[..at] : image;
        var lastSlash = name.LastIndexOf('/');
        var colon = name.IndexOf(':', lastSlash + 1);
        var tag = colon >= 0 ? name[(colon + 1)..] : "";
        var repository = colon >= 0 ? name[..colon] : name;
        if (!IsValidRepository(repository))
        {
            return "";
        }
        return tag.Length == 0 && !hasDigest ? "latest" : tag;
    }

    private static bool IsValidRepository(string repository)
    {
        var components = repository.Split('/');
        // A first component with '.', ':' or "localhost" is a registry host, where upper case is allowed.
        var start = components.Length > 1 && (components[0].Contains('.') || components[0].Contains(':') || components[0] == "localhost") ? 1 : 0;
        return components.Length > start && components.Skip(start).All(c => PathComponent().IsMatch(c));
    }
}
