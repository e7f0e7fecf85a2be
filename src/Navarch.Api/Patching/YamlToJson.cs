using System.Globalization;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Navarch.Api.Patching;

/// <summary>
/// Converts the first document of a YAML stream into JSON nodes, driven by the parser's events over an explicit stack
/// instead of recursion over a composed node graph: nesting is refused past <see cref="InputLimits.MaxDepth"/> as it is
/// read, an alias to an anchor that is still open (<c>&amp;a [*a]</c>, a cycle) is refused, and aliases may not add
/// more than <see cref="InputLimits.MaxAliasNodesBeyondDocument"/> nodes beyond the document's own.
/// Throws <see cref="YamlException"/> with the position of the offending event.
/// </summary>
internal sealed class YamlToJson
{
    /// <summary>An open mapping or sequence.</summary>
    private sealed class Frame(JsonNode container, string? anchor, int builtAtOpen)
    {
        public JsonNode Container { get; } = container;
        public string? Anchor { get; } = anchor;
        public int BuiltAtOpen { get; } = builtAtOpen;
        /// <summary>For a mapping: the key read whose value comes next; null while a key is expected.</summary>
        public string? PendingKey { get; set; }
        /// <summary>Levels of containers this one holds, itself included.</summary>
        public int Height { get; set; } = 1;
    }

    /// <summary>What an anchor names: the node, its text when a scalar (for keys), its size and height.</summary>
    private sealed record Anchored(JsonNode? Node, string? ScalarText, int Nodes, int Height);

    private readonly Stack<Frame> _open = new();
    private readonly Dictionary<string, Anchored> _anchors = new(StringComparer.Ordinal);
    private readonly HashSet<string> _openAnchors = new(StringComparer.Ordinal);
    private int _built;   // nodes made so far, aliased copies included
    private int _aliased; // nodes aliased copies added
    private JsonNode? _root;
    private bool _done;

    public static JsonNode? Convert(string body) => new YamlToJson().Run(body);

    private JsonNode? Run(string body)
    {
        var parser = new Parser(new StringReader(body));
        while (!_done && parser.MoveNext())
        {
            var e = parser.Current!;
            switch (e)
            {
                case MappingStart map:
                    Open(e, new JsonObject(), map.Anchor);
                    break;
                case SequenceStart seq:
                    Open(e, new JsonArray(), seq.Anchor);
                    break;
                case MappingEnd or SequenceEnd:
                    Close();
                    break;
                case Scalar scalar:
                    OnScalar(scalar);
                    break;
                case AnchorAlias alias:
                    OnAlias(alias);
                    break;
                case DocumentEnd:
                    _done = true;
                    break;
            }
        }
        return _root;
    }

    private void Open(ParsingEvent e, JsonNode container, AnchorName anchor)
    {
        if (ExpectsKey) throw Error(e, "invalid map key: a mapping or sequence cannot be a key");
        if (_open.Count + 1 > InputLimits.MaxDepth) throw Error(e, InputLimits.DepthMessage);
        var name = anchor.IsEmpty ? null : anchor.Value;
        if (name is not null) _openAnchors.Add(name);
        _open.Push(new Frame(container, name, _built));
        _built++;
    }

    private void Close()
    {
        var frame = _open.Pop();
        if (frame.Anchor is not null)
        {
            _openAnchors.Remove(frame.Anchor);
            _anchors[frame.Anchor] = new Anchored(frame.Container, null, _built - frame.BuiltAtOpen, frame.Height);
        }
        Place(frame.Container, frame.Height);
    }

    private void OnScalar(Scalar scalar)
    {
        var text = scalar.Value;
        if (!scalar.Anchor.IsEmpty)
            _anchors[scalar.Anchor.Value] = new Anchored(ScalarNode(text, scalar.Style), text, 1, 0);
        _built++;
        if (ExpectsKey)
        {
            _open.Peek().PendingKey = text;
            return;
        }
        Place(ScalarNode(text, scalar.Style), 0);
    }

    private void OnAlias(AnchorAlias alias)
    {
        var name = alias.Value.Value;
        if (_openAnchors.Contains(name)) throw Error(alias, $"anchor '{name}' value contains itself");
        if (!_anchors.TryGetValue(name, out var anchored)) throw Error(alias, $"unknown anchor '{name}' referenced");
        if (ExpectsKey)
        {
            _open.Peek().PendingKey = anchored.ScalarText ?? throw Error(alias, "invalid map key: a mapping or sequence cannot be a key");
            return;
        }
        _aliased += anchored.Nodes;
        if (_aliased > _built + InputLimits.MaxAliasNodesBeyondDocument) throw Error(alias, "document contains excessive aliasing");
        if (_open.Count + anchored.Height > InputLimits.MaxDepth) throw Error(alias, InputLimits.DepthMessage);
        _built += anchored.Nodes;
        Place(anchored.Node?.DeepClone(), anchored.Height);
    }

    private bool ExpectsKey => _open.TryPeek(out var top) && top.Container is JsonObject && top.PendingKey is null;

    /// <summary>Puts a finished node into the open container, or makes it the document.</summary>
    private void Place(JsonNode? node, int height)
    {
        if (!_open.TryPeek(out var parent))
        {
            _root = node;
            _done = true;
            return;
        }
        parent.Height = Math.Max(parent.Height, height + 1);
        if (parent.Container is JsonArray list)
        {
            list.Add(node);
            return;
        }
        // A repeated key: the last value wins, as go-yaml's non-strict decoding does.
        parent.Container.AsObject()[parent.PendingKey!] = node;
        parent.PendingKey = null;
    }

    private static YamlException Error(ParsingEvent e, string message) => new(e.Start, e.End, message);

    /// <summary>
    /// Plain scalars follow the YAML 1.2 core schema (null, true/false, integers, floats; anything else is a string);
    /// quoted scalars are strings.
    /// </summary>
    private static JsonNode? ScalarNode(string text, ScalarStyle style)
    {
        if (style is not ScalarStyle.Plain)
            return JsonValue.Create(text);
        if (text is "" or "~" or "null" or "Null" or "NULL")
            return null;
        if (text is "true" or "True" or "TRUE")
            return JsonValue.Create(true);
        if (text is "false" or "False" or "FALSE")
            return JsonValue.Create(false);
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
            return JsonValue.Create(integer);
        if (text.Any(char.IsAsciiDigit) && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number))
            return JsonValue.Create(number);
        return JsonValue.Create(text);
    }
}
