using System.Text.Json.Nodes;

namespace Navarch.Api.Patching;

/// <summary>Path elements in upstream's fieldsV1 spelling, and their human form used in conflict messages.</summary>
internal static class FieldPath
{
    public static string Field(string name) => "f:" + name;

    /// <summary><c>k:{"containerPort":80,"protocol":"TCP"}</c>: the key fields in name order, compact JSON.</summary>
    public static string Key(IEnumerable<KeyValuePair<string, JsonNode?>> fields)
    {
        var key = new JsonObject();
        foreach (var (name, value) in fields.OrderBy(f => f.Key, StringComparer.Ordinal))
            key[name] = value?.DeepClone();
        return "k:" + key.ToJsonString();
    }

    public static string Value(JsonNode? value) => "v:" + (value?.ToJsonString() ?? "null");

    /// <summary>Upstream's <c>Path.String()</c>: <c>.spec.containers[name="nginx"].image</c>, <c>.metadata.finalizers[="x"]</c>.</summary>
    public static string Display(IReadOnlyList<string> path)
    {
        var text = new System.Text.StringBuilder();
        foreach (var element in path)
        {
            var body = element[2..];
            switch (element[0])
            {
                case 'f':
                    text.Append('.').Append(body);
                    break;
                case 'k':
                    var fields = JsonNode.Parse(body)!.AsObject().Select(p => $"{p.Key}={p.Value?.ToJsonString()}");
                    text.Append('[').AppendJoin(',', fields).Append(']');
                    break;
                case 'v':
                    text.Append("[=").Append(body).Append(']');
                    break;
                default:
                    text.Append('[').Append(body).Append(']');
                    break;
            }
        }
        return text.ToString();
    }
}
