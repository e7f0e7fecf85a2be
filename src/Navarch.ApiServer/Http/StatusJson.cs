using System.Text;
using System.Text.Json;
using k8s.Models;

namespace Navarch.ApiServer.Http;

/// <summary>
/// Renders a <c>Status</c> byte for byte as upstream does: fields in the Go struct's order (KubernetesClient's
/// models write them alphabetically, and its converter for V1Status only reads), HTML characters escaped as Go's
/// encoder escapes them, and the trailing newline of Go's <c>json.Encoder</c>. Some clients compare these as text.
/// </summary>
public static class StatusJson
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = Responses.Plain.Encoder };

    /// <summary>A response body: the object and Go's trailing newline.</summary>
    public static string Body(V1Status status) => Serialize(status) + "\n";

    /// <summary>The object alone, as a watch event embeds it.</summary>
    public static string Serialize(V1Status status)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, WriterOptions))
        {
            w.WriteStartObject();
            w.WriteString("kind", "Status");
            w.WriteString("apiVersion", "v1");
            w.WriteStartObject("metadata");
            w.WriteEndObject();
            WriteIfSet(w, "status", status.Status);
            WriteIfSet(w, "message", status.Message);
            WriteIfSet(w, "reason", status.Reason);
            if (status.Details is { } details) WriteDetails(w, details);
            if (status.Code is { } code) w.WriteNumber("code", code);
            w.WriteEndObject();
        }
        return EscapeHtml(Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
    }

    /// <summary>metav1.StatusDetails: name, group, kind, uid, causes (reason, message, field), retryAfterSeconds.</summary>
    private static void WriteDetails(Utf8JsonWriter w, V1StatusDetails details)
    {
        w.WriteStartObject("details");
        WriteIfSet(w, "name", details.Name);
        WriteIfSet(w, "group", details.Group);
        WriteIfSet(w, "kind", details.Kind);
        WriteIfSet(w, "uid", details.Uid);
        if (details.Causes is { Count: > 0 } causes)
        {
            w.WriteStartArray("causes");
            foreach (var cause in causes)
            {
                w.WriteStartObject();
                WriteIfSet(w, "reason", cause.Reason);
                WriteIfSet(w, "message", cause.Message);
                WriteIfSet(w, "field", cause.Field);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        if (details.RetryAfterSeconds is { } retry and not 0) w.WriteNumber("retryAfterSeconds", retry);
        w.WriteEndObject();
    }

    /// <summary>Go's omitempty: empty strings are left out like nulls.</summary>
    private static void WriteIfSet(Utf8JsonWriter w, string name, string? value)
    {
        if (!string.IsNullOrEmpty(value)) w.WriteString(name, value);
    }

    /// <summary>
    /// Go's encoder writes &lt;, &gt; and &amp; as \u003c, \u003e and \u0026. They can only occur inside strings
    /// in JSON text, so replacing them in the finished text is safe.
    /// </summary>
    private static string EscapeHtml(string json) =>
        json.AsSpan().IndexOfAny('<', '>', '&') < 0
            ? json
            : json.Replace("<", "\\u003c").Replace(">", "\\u003e").Replace("&", "\\u0026");
}
