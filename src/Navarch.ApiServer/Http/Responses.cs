using System.Text;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Microsoft.AspNetCore.Http;
using Navarch.Api.Serialization;
using Navarch.ApiServer.Registry;

namespace Navarch.ApiServer.Http;

/// <summary>Writes API responses: objects and Status bodies as JSON, with upstream's headers.</summary>
public static class Responses
{
    public static Task WriteJsonAsync(HttpContext ctx, int code, string json, string contentType = MediaTypes.Json) =>
        WriteBytesAsync(ctx, code, Encoding.UTF8.GetBytes(json), contentType);

    public static Task WriteJsonAsync(HttpContext ctx, int code, JsonNode node, string contentType = MediaTypes.Json) =>
        WriteJsonAsync(ctx, code, node.ToJsonString(Plain), contentType);

    /// <summary>JSON as upstream writes it: quotes escaped as \", not \u0022.</summary>
    public static readonly System.Text.Json.JsonSerializerOptions Plain = new()
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static Task WriteObjectAsync(HttpContext ctx, int code, object obj) =>
        WriteJsonAsync(ctx, code, WireJson.Serialize(obj));

    public static async Task WriteBytesAsync(HttpContext ctx, int code, ReadOnlyMemory<byte> body, string contentType = MediaTypes.Json)
    {
        ctx.Response.StatusCode = code;
        ctx.Response.ContentType = contentType;
        ctx.Response.ContentLength = body.Length;
        await ctx.Response.Body.WriteAsync(body, ctx.RequestAborted);
    }

    public static Task WriteStatusAsync(HttpContext ctx, ApiException e) =>
        WriteStatusAsync(ctx, e.Code, e.ToStatus());

    public static Task WriteStatusAsync(HttpContext ctx, int code, V1Status status) =>
        WriteJsonAsync(ctx, code, StatusJson.Body(status));

    /// <summary>
    /// Adds warnings the way upstream does: <c>Warning: 299 - "text"</c>, one header value each. Upstream drops a
    /// warning with control characters; so does this, and it writes other non-ASCII characters (which Kestrel refuses in
    /// headers) as '?'. A warning can quote a field name from the body, so it is the client's text.
    /// </summary>
    public static void AddWarnings(HttpContext ctx, IEnumerable<string> warnings)
    {
        foreach (var w in warnings.Distinct())
        {
            if (w.Any(char.IsControl)) continue;
            var ascii = string.Create(w.Length, w, (span, text) =>
            {
                for (var i = 0; i < text.Length; i++) span[i] = char.IsAscii(text[i]) ? text[i] : '?';
            });
            var header = $"299 - \"{ascii.Replace("\"", "\\\"")}\"";
            // Once per response, as upstream's recorder: a write retried on a conflict admits (and warns) again.
            if (!ctx.Response.Headers.Warning.Contains(header)) ctx.Response.Headers.Append("Warning", header);
        }
    }
}
