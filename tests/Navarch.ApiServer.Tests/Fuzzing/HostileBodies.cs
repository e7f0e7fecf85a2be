using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;

namespace Navarch.ApiServer.Tests.Fuzzing;

/// <summary>Request bodies built from a valid object by one hostile change each, in JSON, YAML or a patch format.</summary>
public static class HostileBodies
{
    /// <summary>One byte more than the server's body limit (3 MiB).</summary>
    public const int OversizedBytes = 3 * 1024 * 1024 + 1;

    /// <summary>A whole object (create, update, apply), in JSON or YAML.</summary>
    public static byte[] Object(Random r, JsonObject valid, bool yaml) => r.Next(14) switch
    {
        0 or 1 => Text(yaml ? Yaml.Emit(valid) : valid.ToJsonString()),
        2 or 3 or 4 => Text(Render(WithValueAt(r, valid, HostileValues.Any(r)), yaml, r)),
        5 => Text(Render(WithValueAt(r, valid, HostileValues.Deep(r, HostileValues.DeepLevels)), yaml, r)),
        6 => Truncated(r, Text(yaml ? Yaml.Emit(valid) : valid.ToJsonString())),
        7 => InvalidUtf8(r, Text(valid.ToJsonString())),
        8 => Text(Yaml.Hostile(r, valid)),
        9 => Text(WithManagedFields(r, valid)),
        10 => Junk(r),
        11 => Text(HostileValues.Deep(r, HostileValues.DeepLevels)),
        12 => Text(WithValueAt(r, valid, HostileValues.Any(r)).Replace("\"apiVersion\"", r.Next(2) == 0 ? "\"kind\"" : "\"apiVersion\":1,\"x\"")),
        _ => Text("{" + string.Join(",", Enumerable.Range(0, r.Next(1, 20_000)).Select(i => $"\"k{i}\":{i}")) + "}"),
    };

    /// <summary>An RFC 6902 patch: operations on the object's own paths and made-up ones, some of them bombs.</summary>
    public static byte[] JsonPatch(Random r, JsonObject valid)
    {
        var paths = Paths(valid);
        string Path() => r.Next(4) switch
        {
            0 => "/" + string.Join("/", Enumerable.Repeat("a", r.Next(1, 200))),
            1 => string.Concat(Enumerable.Repeat("/spec/containers/0", r.Next(1, 50))),
            2 => paths[r.Next(paths.Count)] + (r.Next(2) == 0 ? "/-" : "/99999999999"),
            _ => paths[r.Next(paths.Count)],
        };
        return r.Next(8) switch
        {
            // Each copy doubles the document.
            0 => Text("[" + string.Join(",", Enumerable.Range(0, 40).Select(i => $$"""{"op":"copy","from":"/metadata","path":"/metadata/labels/x{{i}}"}""")) + "]"),
            1 => Text("[" + string.Join(",", Enumerable.Repeat("""{"op":"test","path":"/kind","value":"x"}""", 10_001)) + "]"),
            2 => Text($$$"""[{"op":"add","path":"{{{Path()}}}","value":{{{HostileValues.Deep(r, HostileValues.DeepLevels)}}}}]"""),
            3 => Text($$$"""[{"op":{{{HostileValues.Any(r)}}},"path":{{{HostileValues.Any(r)}}},"value":1,"from":{{{HostileValues.Any(r)}}}}]"""),
            4 => Text(HostileValues.Any(r)),
            5 => Truncated(r, Text($$$"""[{"op":"replace","path":"{{{Path()}}}","value":{{{HostileValues.Any(r)}}}}]""")),
            _ => Text("[" + string.Join(",", Enumerable.Range(0, r.Next(1, 30)).Select(_ => Operation(r, Path, paths))) + "]"),
        };
    }

    /// <summary>A merge or strategic merge patch: parts of the object, wrong values and the strategic directives.</summary>
    public static byte[] MergePatch(Random r, JsonObject valid, bool strategic)
    {
        string[] directives = ["$patch", "$retainKeys", "$setElementOrder/containers", "$deleteFromPrimitiveList/finalizers", "$setElementOrder/ports"];
        return r.Next(8) switch
        {
            0 => Text(WithValueAt(r, valid, HostileValues.Any(r))),
            1 => Text($$$"""{"spec":{"containers":[{"name":"c","$patch":{{{HostileValues.Any(r)}}}}],"{{{directives[r.Next(directives.Length)]}}}":{{{HostileValues.Any(r)}}}}}"""),
            2 => Text($$$"""{"metadata":{"labels":{{{HostileValues.Deep(r, HostileValues.DeepLevels)}}}}}"""),
            3 => Text($$$"""{"spec":{"{{{directives[r.Next(directives.Length)]}}}":[{{{HostileValues.Any(r)}}},{"name":"c"}],"ports":[{"$patch":"delete","port":{{{HostileValues.Any(r)}}}}]}}"""),
            4 => Text(HostileValues.Any(r)),
            5 => Truncated(r, Text(valid.ToJsonString())),
            6 => InvalidUtf8(r, Text(valid.ToJsonString())),
            _ => Text($$$"""{"$patch":{{{(r.Next(2) == 0 ? "\"replace\"" : "\"delete\"")}}},"metadata":{"finalizers":null,"$deleteFromPrimitiveList/finalizers":["x"]}}"""),
        };
    }

    private static string Operation(Random r, Func<string> path, List<string> paths)
    {
        string[] ops = ["add", "remove", "replace", "move", "copy", "test"];
        var op = ops[r.Next(ops.Length)];
        return $$$"""{"op":"{{{op}}}","path":"{{{path()}}}","from":"{{{paths[r.Next(paths.Count)]}}}","value":{{{HostileValues.Any(r)}}}}""";
    }

    /// <summary>A body that is over the limit: plain, or gzip-encoded so that only its decompressed form is over.</summary>
    public static byte[] Oversized(Random r, bool gzip)
    {
        var json = new StringBuilder("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"big\"},\"data\":{\"a\":\"");
        json.Append('x', OversizedBytes);
        json.Append("\"}}");
        var bytes = Text(json.ToString());
        if (!gzip) return bytes;
        using var packed = new MemoryStream();
        using (var zip = new GZipStream(packed, CompressionLevel.Fastest)) zip.Write(bytes);
        return packed.ToArray();
    }

    private static byte[] Junk(Random r)
    {
        var bytes = new byte[r.Next(0, 2000)];
        r.NextBytes(bytes);
        return bytes;
    }

    private static byte[] Truncated(Random r, byte[] body) => body[..r.Next(0, body.Length)];

    private static byte[] InvalidUtf8(Random r, byte[] body)
    {
        byte[][] bad = [[0xff], [0xc3, 0x28], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82], [0x00]];
        var at = r.Next(body.Length);
        return [.. body[..at], .. bad[r.Next(bad.Length)], .. body[at..]];
    }

    private static string WithManagedFields(Random r, JsonObject valid)
    {
        var copy = valid.DeepClone().AsObject();
        copy["metadata"]!["managedFields"] = Marker;
        return Splice(copy, $$$"""
            [{"manager":{{{HostileValues.Any(r)}}},"operation":"Apply","apiVersion":"v1","fieldsType":"FieldsV1",
              "fieldsV1":{"f:metadata":{"f:labels":{{{(r.Next(2) == 0 ? HostileValues.Deep(r, 60) : HostileValues.Any(r))}}} } }},
             {"manager":"m","operation":{{{HostileValues.Any(r)}}},"time":{{{HostileValues.Any(r)}}},"fieldsV1":{{{HostileValues.Any(r)}}}}]
            """);
    }

    // Values are spliced into the text rather than parsed: a 10,000-level value is not something a test should parse.
    private const string Marker = "\u0001fuzz\u0001";

    private static string Splice(JsonNode withMarker, string valueJson) =>
        withMarker.ToJsonString().Replace("\"\\u0001fuzz\\u0001\"", valueJson, StringComparison.Ordinal);

    /// <summary>The object's JSON with the value at one of its paths replaced by <paramref name="valueJson"/>.</summary>
    public static string WithValueAt(Random r, JsonObject valid, string valueJson)
    {
        var copy = valid.DeepClone();
        var paths = Paths(copy);
        var path = paths[r.Next(paths.Count)].Split('/')[1..];
        var parent = copy;
        foreach (var token in path[..^1])
            parent = parent is JsonArray a ? a[int.Parse(token)]! : parent[token]!;
        if (parent is JsonArray list) list[int.Parse(path[^1])] = Marker;
        else parent[path[^1]] = Marker;
        return Splice(copy, valueJson);
    }

    private static string Render(string json, bool yaml, Random r)
    {
        // JSON is YAML: a YAML body may stay in flow style, which keeps 10,000 levels small.
        if (!yaml || r.Next(2) == 0 || json.Length > 100_000 || !JsonDepthBelow(json, 50)) return json;
        try
        {
            return Yaml.Emit(JsonNode.Parse(json)!);
        }
        catch (System.Text.Json.JsonException)
        {
            return json; // a value .NET won't read (a huge number, a NUL): sent as it is
        }
    }

    private static bool JsonDepthBelow(string json, int max)
    {
        var depth = 0;
        foreach (var c in json)
            if (c is '{' or '[' && ++depth > max) return false;
            else if (c is '}' or ']') depth--;
        return true;
    }

    /// <summary>Every JSON pointer in <paramref name="node"/>, containers and leaves.</summary>
    public static List<string> Paths(JsonNode node)
    {
        var paths = new List<string>();
        var pending = new Stack<(JsonNode? Node, string Path)>([(node, "")]);
        while (pending.TryPop(out var item))
        {
            if (item.Path.Length > 0) paths.Add(item.Path);
            if (item.Node is JsonObject obj)
                foreach (var (k, v) in obj) pending.Push((v, item.Path + "/" + k));
            else if (item.Node is JsonArray arr)
                for (var i = 0; i < arr.Count; i++) pending.Push((arr[i], item.Path + "/" + i));
        }
        return paths;
    }

    private static byte[] Text(string s) => Encoding.UTF8.GetBytes(s);
}
