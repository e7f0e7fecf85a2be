using System.Text;
using System.Text.Json.Nodes;

namespace Navarch.ApiServer.Tests.Fuzzing;

/// <summary>YAML text for the fuzzer: objects in block style, and the YAML-only hostile shapes (aliases, tags, tabs).</summary>
public static class Yaml
{
    /// <summary>Block-style YAML for <paramref name="node"/> (small, test-made nodes: the recursion is bounded by them).</summary>
    public static string Emit(JsonNode node)
    {
        var sb = new StringBuilder();
        Emit(sb, node, 0);
        return sb.ToString();
    }

    private static void Emit(StringBuilder sb, JsonNode? node, int indent)
    {
        var pad = new string(' ', indent);
        switch (node)
        {
            case JsonObject { Count: > 0 } obj:
                foreach (var (k, v) in obj)
                {
                    sb.Append(pad).Append(Quote(k)).Append(':');
                    Child(sb, v, indent);
                }
                break;
            case JsonArray { Count: > 0 } arr:
                foreach (var v in arr)
                {
                    sb.Append(pad).Append('-');
                    Child(sb, v, indent);
                }
                break;
            default:
                sb.Append(pad).Append(Scalar(node)).Append('\n');
                break;
        }
    }

    private static void Child(StringBuilder sb, JsonNode? v, int indent)
    {
        if (v is JsonObject { Count: > 0 } or JsonArray { Count: > 0 })
        {
            sb.Append('\n');
            Emit(sb, v, indent + 2);
        }
        else
        {
            sb.Append(' ').Append(Scalar(v)).Append('\n');
        }
    }

    private static string Scalar(JsonNode? v) => v switch
    {
        null => "null",
        JsonObject => "{}",
        JsonArray => "[]",
        _ => v.ToJsonString(), // JSON scalars are YAML flow scalars
    };

    private static string Quote(string key) => JsonValue.Create(key)!.ToJsonString();

    /// <summary>A YAML body built to hurt a YAML decoder, around a valid object.</summary>
    public static string Hostile(Random r, JsonObject valid)
    {
        var head = $"apiVersion: {valid["apiVersion"]}\nkind: {valid["kind"]}\nmetadata:\n  name: {valid["metadata"]!["name"]}\n";
        return r.Next(12) switch
        {
            0 => head + "x: &a [*a, *a]\n",
            1 => head + "spec: &s\n  x: *s\n",
            2 => head + Laughs(r.Next(5, 12)),
            3 => head + "spec: *nowhere\n",
            4 => head + "spec: !!binary aGVsbG8=\nstatus: !!python/object:os.system x\n",
            5 => head + "spec:\n  <<: &base {a: 1}\n  <<: *base\n",
            6 => head + "spec:\n\tcontainers: []\n",
            7 => head + "? [a, b]\n: c\n",
            8 => head + "spec: " + new string('[', HostileValues.DeepLevels) + new string(']', HostileValues.DeepLevels) + "\n",
            9 => head + "---\n" + Emit(valid) + "...\n--- [\n",
            10 => head + "spec:\n" + string.Concat(Enumerable.Range(1, 300).Select(i => new string(' ', i * 2) + "- \n")),
            _ => head + "labels: &l {a: b}\nspec: {x: *l, y: *l, z: [*l, *l]}\n" + "metadata: *l\n",
        };
    }

    /// <summary>"Billion laughs": each anchor refers to the one before ten times.</summary>
    private static string Laughs(int levels)
    {
        var sb = new StringBuilder("l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for (var i = 1; i < levels; i++)
            sb.Append($"l{i}: &l{i} [{string.Join(", ", Enumerable.Repeat($"*l{i - 1}", 10))}]\n");
        return sb.ToString();
    }
}
