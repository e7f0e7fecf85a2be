using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Microsoft.AspNetCore.Http;
using Navarch.Api.Resources;
using Navarch.Api.Patching;
using Navarch.Api.Protobuf;
using Navarch.Api.Schema;
using Navarch.ApiServer.Storage;

namespace Navarch.ApiServer.Http;

/// <summary>Reads request bodies: size-limited, JSON or YAML, decoded into models with upstream's errors.</summary>
public static class RequestBody
{
    /// <summary>Upstream's limit on a request body (3 MiB).</summary>
    public const int MaxBytes = 3 * 1024 * 1024;

    public static async Task<string> ReadTextAsync(HttpRequest request, CancellationToken ct)
    {
        var bytes = await ReadBytesAsync(request, ct);
        return Encoding.UTF8.GetString(bytes.Array!, bytes.Offset, bytes.Count);
    }

    /// <summary>
    /// Reads a create or update body: JSON or YAML, or the protobuf encoding that kubectl 1.32+ typed clients send
    /// (<see cref="KubernetesProtobuf"/>); 400 when it can't be decoded.
    /// </summary>
    public static async Task<JsonNode> ReadNodeAsync(HttpRequest request, CancellationToken ct)
    {
        var contentType = MediaTypes.ContentType(request);
        var bytes = await ReadBytesAsync(request, ct);
        if (contentType != KubernetesProtobuf.MediaType)
            return ParseNode(Encoding.UTF8.GetString(bytes.Array!, bytes.Offset, bytes.Count), contentType);
        try
        {
            return KubernetesProtobuf.Decode(bytes);
        }
        catch (Exception e) when (e is ProtoException or JsonException)
        {
            throw ApiException.BadRequest($"the body of the request could not be decoded: {e.Message}");
        }
    }

    private static async Task<ArraySegment<byte>> ReadBytesAsync(HttpRequest request, CancellationToken ct)
    {
        if (request.ContentLength > MaxBytes) throw ApiException.TooLarge();
        // Sized from Content-Length and read through a pooled chunk: a fresh 80 KiB chunk per request was over
        // a third of what a create allocated (bench/Navarch.Bench.Api).
        using var buffer = new MemoryStream((int)(request.ContentLength ?? 0));
        var chunk = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            int n;
            while ((n = await request.Body.ReadAsync(chunk, ct)) > 0)
            {
                if (buffer.Length + n > MaxBytes) throw ApiException.TooLarge();
                buffer.Write(chunk, 0, n);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
        return new ArraySegment<byte>(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <summary>Parses a JSON (or, for YAML content types, YAML) body into a JSON node; 400 when it can't.</summary>
    public static JsonNode ParseNode(string text, string contentType)
    {
        if (string.IsNullOrWhiteSpace(text)) throw ApiException.BadRequest("the request body is empty");
        try
        {
            if (contentType is MediaTypes.Yaml or MediaTypes.ApplyPatch or "application/x-yaml" or "text/yaml")
                return ApplyBody.Parse(text);
            return JsonNode.Parse(text) ?? throw ApiException.BadRequest("the request body is null");
        }
        catch (JsonException e)
        {
            throw ApiException.BadRequest($"the body of the request could not be decoded: {e.Message}");
        }
        catch (PatchException e)
        {
            throw ApiException.BadRequest(e.Message);
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

    /// <summary>Decodes JSON that passed <see cref="Check"/>; a value the model can't hold is upstream's 400.</summary>
    public static IKubernetesObject<V1ObjectMeta> DecodeChecked(ResourceType rt, JsonObject obj)
    {
        try
        {
            return ObjectCodec.DecodeNode(rt, obj);
        }
        catch (JsonException e)
        {
            throw ApiException.BadRequest($"{rt.Kind} in version \"{rt.Version}\" cannot be handled as a {rt.Kind}: {e.Message}");
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException or OverflowException)
        {
            throw ApiException.BadRequest($"{rt.Kind} in version \"{rt.Version}\" cannot be handled as a {rt.Kind}: {e.Message}");
        }
    }
}
