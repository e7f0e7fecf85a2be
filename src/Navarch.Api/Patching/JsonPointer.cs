using System.Text.Json.Nodes;

namespace Navarch.Api.Patching;

/// <summary>An RFC 6901 JSON pointer: <c>/spec/containers/0/image</c>, with <c>~1</c> for '/' and <c>~0</c> for '~'.</summary>
internal sealed class JsonPointer
{
    private JsonPointer(string text, IReadOnlyList<string> tokens)
    {
        Text = text;
        Tokens = tokens;
    }

    public string Text { get; }
    public IReadOnlyList<string> Tokens { get; }
    public bool IsRoot => Tokens.Count == 0;
    public string Last => Tokens[^1];

    /// <summary>Parses a pointer; throws <see cref="PatchException"/> (BadRequest) when it does not start with '/'.</summary>
    public static JsonPointer Parse(string text)
    {
        if (text.Length == 0)
            return new JsonPointer(text, []);
        if (text[0] != '/')
            throw new PatchException(PatchErrorKind.BadRequest, $"JSON pointer must be empty or start with a \"/\": {text}");
        var tokens = text[1..].Split('/').Select(t => t.Replace("~1", "/").Replace("~0", "~")).ToArray();
        return new JsonPointer(text, tokens);
    }

    /// <summary>The node that holds the last token (the document itself for a one-token pointer), or null when absent.</summary>
    public JsonNode? ResolveParent(JsonNode? document) => Walk(document, Tokens.Count - 1);

    /// <summary>The node the pointer designates; <paramref name="found"/> is false when it does not exist.</summary>
    public JsonNode? Resolve(JsonNode? document, out bool found)
    {
        if (IsRoot)
        {
            found = true;
            return document;
        }
        var parent = ResolveParent(document);
        switch (parent)
        {
            case JsonObject obj:
                found = obj.TryGetPropertyValue(Last, out var child);
                return child;
            case JsonArray arr when TryIndex(Last, arr.Count - 1, out var i):
                found = true;
                return arr[i];
            default:
                found = false;
                return null;
        }
    }

    /// <summary>Parses an array index token: digits only, no leading zeros, at most <paramref name="max"/>.</summary>
    public static bool TryIndex(string token, int max, out int index)
    {
        index = -1;
        if (token.Length == 0 || token.Length > 9 || (token.Length > 1 && token[0] == '0') || !token.All(char.IsAsciiDigit))
            return false;
        index = int.Parse(token, System.Globalization.CultureInfo.InvariantCulture);
        return index <= max;
    }

    private JsonNode? Walk(JsonNode? node, int count)
    {
        for (var i = 0; i < count && node is not null; i++)
        {
            node = node switch
            {
                JsonObject obj => obj.TryGetPropertyValue(Tokens[i], out var child) ? child : null,
                JsonArray arr => TryIndex(Tokens[i], arr.Count - 1, out var index) ? arr[index] : null,
                _ => null,
            };
        }
        return node;
    }

    public override string ToString() => Text;
}
