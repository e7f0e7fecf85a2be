using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Navarch.Api.Resources;
using Navarch.Api.Patching;
using Navarch.Api.Protobuf;
using Navarch.Api.Schema;
using Navarch.ApiServer.Storage;

namespace Navarch.ApiServer.Registry;

/// <summary>
/// Decodes request bodies, JSON or YAML, into JSON nodes and models with upstream's errors. Knows nothing of HTTP:
/// the handlers read the bytes (Http/RequestBodyReader) and pass the text and its media type.
/// </summary>
public static class RequestBody
{
    /// <summary>Upstream's limit on a request body (3 MiB).</summary>
    public const int MaxBytes = 3 * 1024 * 1024;

    /// <summary>Decodes the protobuf encoding that kubectl 1.32+ typed clients send (<see cref="KubernetesProtobuf"/>)
    /// into a JSON node; 400 when it can't.</summary>
    public static JsonNode ParseProtobuf(ArraySegment<byte> bytes)
    {
        try
        {
            return KubernetesProtobuf.Decode(bytes);
        }
        catch (Exception e) when (e is ProtoException or JsonException)
        {
            throw ApiException.BadRequest($"the body of the request could not be decoded: {e.Message}");
        }
    }

    /// <summary>
    /// A kind that is posted but never stored (a review, a TokenRequest) from its body: JSON, or the protobuf of kubectl's
    /// typed clients; null for an empty JSON body, 400 when the body cannot be decoded.
    /// </summary>
    public static T? DecodePosted<T>(ReadOnlySpan<byte> body, string contentType)
    {
        try
        {
            if (contentType == KubernetesProtobuf.MediaType) return KubernetesProtobuf.DecodeAs<T>(body);
            return body.IsEmpty ? default : KubernetesJson.Deserialize<T>(System.Text.Encoding.UTF8.GetString(body));
        }
        catch (Exception e) when (e is ProtoException or JsonException or FormatException)
        {
            throw ApiException.BadRequest($"the body of the request could not be decoded: {e.Message}");
        }
    }

    /// <summary>Parses a JSON (or, when <paramref name="yaml"/>, YAML) body into a JSON node; 400 when it can't.</summary>
    public static JsonNode ParseNode(string text, bool yaml)
    {
        if (string.IsNullOrWhiteSpace(text)) throw ApiException.BadRequest("the request body is empty");
        try
        {
            if (yaml)
                return ApplyBody.Parse(text);
            return JsonNode.Parse(text, documentOptions: InputLimits.Json) ?? throw ApiException.BadRequest("the request body is null");
        }
        catch (JsonException e)
        {
            throw ApiException.BadRequest($"the body of the request could not be decoded: {e.Message}");
        }
        catch (PatchException e)
        {
            throw ApiException.Patch(e);
        }
    }

    /// <summary>
    /// Decodes an object of <paramref name="rt"/> from <paramref name="node"/>, enforcing kind/apiVersion and
    /// <paramref name="fieldValidation"/> (Strict: 400 naming unknown fields; Warn: warnings returned).
    /// </summary>
    public static IKubernetesObject<V1ObjectMeta> Decode(ResourceType rt, JsonNode node, string fieldValidation, List<string> warnings) =>
        DecodeChecked(rt, Check(rt, node, fieldValidation, warnings));

    /// <summary>
    /// Everything <see cref="Decode"/> checks, without decoding: returns <paramref name="node"/> as an object with
    /// upstream's kind and apiVersion set, for writers that keep working on the JSON.
    /// </summary>
    public static JsonObject Check(ResourceType rt, JsonNode node, string fieldValidation, List<string> warnings)
    {
        if (node is not JsonObject obj) throw ApiException.BadRequest("the body of the request must be a JSON object");
        var kind = obj["kind"]?.GetValueKind() == JsonValueKind.String ? obj["kind"]!.GetValue<string>() : null;
        var apiVersion = obj["apiVersion"]?.GetValueKind() == JsonValueKind.String ? obj["apiVersion"]!.GetValue<string>() : null;
        if (!string.IsNullOrEmpty(kind) && kind != rt.Kind)
            throw ApiException.BadRequest($"the kind in the body ({kind}) does not match the kind of the resource ({rt.Kind})");
        if (!string.IsNullOrEmpty(apiVersion) && apiVersion != rt.ApiVersion)
            throw ApiException.BadRequest($"the API version in the data ({apiVersion}) does not match the expected API version ({rt.ApiVersion})");
        if (fieldValidation != "Ignore")
        {
            var unknown = UnknownFields.Find(obj, rt.ClrType);
            if (unknown.Count > 0)
            {
                if (fieldValidation == "Strict") throw ApiException.BadRequest(UnknownFields.StrictError(unknown, rt.Kind, rt.Version));
                warnings.AddRange(UnknownFields.Warnings(unknown));
            }
        }
        obj["kind"] = rt.Kind;
        obj["apiVersion"] = rt.ApiVersion;
        return obj;
    }

    /// <summary>
    /// Decodes JSON that passed <see cref="Check"/>; a value the model can't hold is upstream's 400. Null list items and
    /// map values become their zero value in <paramref name="obj"/> first, as upstream's decoder makes them.
    /// </summary>
    public static IKubernetesObject<V1ObjectMeta> DecodeChecked(ResourceType rt, JsonObject obj)
    {
        try
        {
            NullElements.Replace(obj, rt.ClrType);
            return ObjectCodec.DecodeNode(rt, obj);
        }
        catch (Exception e) when (IsDecodeFailure(e))
        {
            throw ApiException.BadRequest($"{rt.Kind} in version \"{rt.Version}\" cannot be handled as a {rt.Kind}: {e.Message}");
        }
    }

    /// <summary>Decodes a body that is not a stored object (a Binding, DeleteOptions, a Scale); 400 naming <paramref name="what"/>.</summary>
    public static T? DecodeAs<T>(string json, string what)
    {
        try
        {
            return KubernetesJson.Deserialize<T>(json);
        }
        catch (Exception e) when (IsDecodeFailure(e))
        {
            throw ApiException.BadRequest($"the body of the request could not be decoded as {what}: {e.Message}");
        }
    }

    /// <summary>
    /// What the model decoder throws for a value of the wrong shape: JsonException from System.Text.Json, and from
    /// KubernetesClient's converters FormatException, OverflowException (a huge quantity), InvalidOperationException,
    /// NotSupportedException (an object where an IntOrString goes) and ArgumentException (a quantity with a bad suffix).
    /// </summary>
    private static bool IsDecodeFailure(Exception e) =>
        e is JsonException or FormatException or InvalidOperationException or OverflowException or NotSupportedException or ArgumentException;
}
