using System.Globalization;
using System.Text.Json.Nodes;

namespace Navarch.Api.Patching;

/// <summary>One <c>metadata.managedFields</c> entry with its field set decoded.</summary>
internal sealed record ManagedEntry(string Manager, string Operation, string? ApiVersion, string? Time, string? Subresource, FieldSet Fields)
{
    public const string Apply = "Apply";
    public const string Update = "Update";

    /// <summary>
    /// Upstream's manager identifier: manager, operation and subresource, plus apiVersion for Update entries
    /// (an applier keeps one entry whatever version it applies with).
    /// </summary>
    public bool SameManager(ManagedEntry other) =>
        Manager == other.Manager && Operation == other.Operation && Subresource == other.Subresource
        && (Operation == Apply || ApiVersion == other.ApiVersion);

    /// <summary>How upstream names the manager in conflict messages: <c>"kubectl-client-side-apply" using v1</c>.</summary>
    public string Describe()
    {
        var text = $"\"{Manager}\"";
        if (!string.IsNullOrEmpty(Subresource))
            text += $" with subresource \"{Subresource}\"";
        return Operation == Update ? $"{text} using {ApiVersion}" : text;
    }

    public static List<ManagedEntry> Read(JsonObject? obj)
    {
        var result = new List<ManagedEntry>();
        if (obj?["metadata"]?["managedFields"] is not JsonArray entries)
            return result;
        foreach (var node in entries)
        {
            if (node is not JsonObject entry)
                continue;
            result.Add(new ManagedEntry(
                Text(entry, "manager") ?? "", Text(entry, "operation") ?? Update, Text(entry, "apiVersion"),
                Text(entry, "time"), Text(entry, "subresource"), FieldSet.FromFieldsV1(entry["fieldsV1"] as JsonObject)));
        }
        return result;
    }

    /// <summary>Writes the entries (empty ones dropped) in upstream's order: Apply before Update, then time, manager, version.</summary>
    public static void Write(JsonObject obj, IEnumerable<ManagedEntry> entries)
    {
        var sorted = entries.Where(e => !e.Fields.IsEmpty)
            .OrderBy(e => e.Operation, StringComparer.Ordinal)
            .ThenBy(e => e.Time ?? "", StringComparer.Ordinal)
            .ThenBy(e => e.Manager, StringComparer.Ordinal)
            .ThenBy(e => e.ApiVersion ?? "", StringComparer.Ordinal)
            .ThenBy(e => e.Subresource ?? "", StringComparer.Ordinal);
        var array = new JsonArray();
        foreach (var e in sorted)
        {
            var entry = new JsonObject
            {
                ["manager"] = e.Manager,
                ["operation"] = e.Operation,
                ["apiVersion"] = e.ApiVersion,
                ["time"] = e.Time,
                ["fieldsType"] = "FieldsV1",
                ["fieldsV1"] = e.Fields.ToFieldsV1(),
            };
            if (!string.IsNullOrEmpty(e.Subresource))
                entry["subresource"] = e.Subresource;
            array.Add(entry);
        }
        if (obj["metadata"] is not JsonObject metadata)
            obj["metadata"] = metadata = [];
        if (array.Count == 0)
            metadata.Remove("managedFields");
        else
            metadata["managedFields"] = array;
    }

    /// <summary>managedFields times: RFC 3339 in UTC, whole seconds, like metav1.Time.</summary>
    public static string FormatTime(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string? Text(JsonObject entry, string name) =>
        entry[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
}
