using System.Security.Cryptography;

namespace Navarch.Api.Naming;

/// <summary>Upstream's SimpleNameGenerator: generateName prefix plus five random characters.</summary>
public static class NameGenerator
{
    /// <summary>The alphabet upstream uses: no vowels (no words) and no confusable characters.</summary>
    public const string Alphabet = "bcdfghjklmnpqrstvwxz2456789";

    public const int RandomLength = 5;

    /// <summary>The longest generated name (a DNS-1123 label).</summary>
    public const int MaxNameLength = 63;

    private const int MaxPrefixLength = MaxNameLength - RandomLength;

    /// <summary>
    /// Returns <paramref name="prefix"/> (cut to 58 characters) followed by five random characters, so the
    /// result never exceeds 63 characters.
    /// </summary>
    public static string Generate(string prefix)
    {
        if (prefix.Length > MaxPrefixLength)
        {
            prefix = prefix[..MaxPrefixLength];
        }
        return string.Create(prefix.Length + RandomLength, prefix, static (span, p) =>
        {
            p.AsSpan().CopyTo(span);
            for (var i = p.Length; i < span.Length; i++)
            {
                span[i] = Alphabet[RandomNumberGenerator.GetInt32(Alphabet.Length)];
            }
        });
    }
}
