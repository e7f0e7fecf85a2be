using System.Text.Json;
using System.Text.Json.Nodes;

namespace Navarch.Api.Patching;

/// <summary>
/// Bounds on what a request body may make the server build or walk. Every walk over a body is recursive somewhere
/// (System.Text.Json's writer, the model decoder, the patch and field walkers), and .NET cannot catch a stack
/// overflow: one deep body would end the process for every client. So depth is refused where bodies are parsed.
/// </summary>
public static class InputLimits
{
    /// <summary>
    /// Deepest nesting of objects and arrays a body may have. System.Text.Json's own default, which the model decoder
    /// (KubernetesJson) enforces anyway; real objects stay below 20 (upstream allows 10,000, Go's stack grows).
    /// </summary>
    public const int MaxDepth = 64;

    /// <summary>
    /// Nodes YAML aliases may add beyond the nodes a document writes out: expansion at most doubles a document,
    /// so a "billion laughs" body of a few hundred bytes is refused instead of built (go-yaml caps aliasing too).
    /// </summary>
    public const int MaxAliasNodesBeyondDocument = 10_000;

    /// <summary>Operations in one JSON patch, as upstream's <c>maxJSONPatchOperations</c>.</summary>
    public const int MaxJsonPatchOperations = 10_000;

    /// <summary>Bytes a JSON patch may copy in all (upstream caps the accumulated copy size at the body limit).</summary>
    public const int MaxJsonPatchCopiedBytes = 3 * 1024 * 1024;

    /// <summary>
    /// How JSON bodies are parsed: nesting capped at <see cref="MaxDepth"/>, as YAML bodies are, and a repeated key
    /// refused while parsing (JsonObject would otherwise throw ArgumentException later, wherever it is first read).
    /// </summary>
    public static readonly JsonDocumentOptions Json = new() { MaxDepth = MaxDepth, AllowDuplicateProperties = false };

    public static string DepthMessage => $"the object is nested too deeply: the limit is {MaxDepth} levels";

    /// <summary>
    /// Throws <see cref="PatchException"/> (BadRequest) when <paramref name="node"/> nests deeper than
    /// <see cref="MaxDepth"/>: for documents made by the server from bounded parts (a JSON patch adds a deep value
    /// at a deep path). Walks with an explicit stack.
    /// </summary>
    public static void CheckDepth(JsonNode? node)
    {
        var pending = new Stack<(JsonNode Node, int Depth)>();
        if (node is JsonObject or JsonArray) pending.Push((node, 1));
        while (pending.TryPop(out var item))
        {
            if (item.Depth > MaxDepth) throw new PatchException(PatchErrorKind.BadRequest, DepthMessage);
            IEnumerable<JsonNode?> children = item.Node is JsonObject obj ? obj.Select(p => p.Value) : item.Node.AsArray();
            foreach (var child in children)
                if (child is JsonObject or JsonArray) pending.Push((child, item.Depth + 1));
        }
    }
}
