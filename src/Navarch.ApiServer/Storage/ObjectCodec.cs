using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Navarch.Api.Resources;
using Navarch.Api.Serialization;

namespace Navarch.ApiServer.Storage;

/// <summary>
/// Turns objects into store values and back. Values are JSON without <c>metadata.resourceVersion</c>:
/// the revision of the store entry is the resource version, set on decode.
/// </summary>
/// <remarks>
/// Everything goes through <see cref="WireJson"/>'s options (KubernetesJson's, with upstream's time formats), but straight between UTF-8 bytes, JSON nodes
/// and models: the string steps of <c>KubernetesJson.Serialize</c>/<c>Deserialize&lt;T&gt;</c> were a good part
/// of what a write cost.
/// </remarks>
public static class ObjectCodec
{
    private static readonly JsonSerializerOptions Options = WireJson.Options;
    private static readonly byte[] ResourceVersionName = "resourceVersion"u8.ToArray();

    public static byte[] Encode(ResourceType rt, IKubernetesObject<V1ObjectMeta> obj)
    {
        var rv = obj.Metadata.ResourceVersion;
        obj.Metadata.ResourceVersion = null;
        obj.ApiVersion = rt.ApiVersion;
        obj.Kind = rt.Kind;
        try
        {
            return JsonSerializer.SerializeToUtf8Bytes(obj, obj.GetType(), Options);
        }
        finally
        {
            obj.Metadata.ResourceVersion = rv;
        }
    }

    public static IKubernetesObject<V1ObjectMeta> Decode(ResourceType rt, ReadOnlySpan<byte> value, long revision)
    {
        var obj = DecodeJson(rt, value);
        obj.Metadata.ResourceVersion = revision.ToString(CultureInfo.InvariantCulture);
        obj.ApiVersion = rt.ApiVersion;
        obj.Kind = rt.Kind;
        return obj;
    }

    /// <summary>A model from UTF-8 JSON as it is (no resourceVersion set); throws <see cref="JsonException"/> on malformed input.</summary>
    public static IKubernetesObject<V1ObjectMeta> DecodeJson(ResourceType rt, ReadOnlySpan<byte> json)
    {
        var obj = (IKubernetesObject<V1ObjectMeta>?)JsonSerializer.Deserialize(json, rt.ClrType, Options)
            ?? throw new JsonException("empty object");
        obj.Metadata ??= new V1ObjectMeta();
        return obj;
    }

    /// <summary>A model from a JSON node (no text in between); throws as the model's JSON converters do.</summary>
    public static IKubernetesObject<V1ObjectMeta> DecodeNode(ResourceType rt, JsonNode json)
    {
        var obj = (IKubernetesObject<V1ObjectMeta>?)json.Deserialize(rt.ClrType, Options) ?? throw new JsonException("empty object");
        obj.Metadata ??= new V1ObjectMeta();
        return obj;
    }

    /// <summary>The model as a JSON node, as KubernetesJson writes it (nulls left out, kind and apiVersion as set).</summary>
    public static JsonObject ToNode(IKubernetesObject<V1ObjectMeta> obj) =>
        JsonSerializer.SerializeToNode(obj, obj.GetType(), Options)!.AsObject();

    /// <summary>A deep copy, for handlers that change an object the watch cache shares.</summary>
    public static IKubernetesObject<V1ObjectMeta> Clone(ResourceType rt, IKubernetesObject<V1ObjectMeta> obj) =>
        DecodeJson(rt, JsonSerializer.SerializeToUtf8Bytes(obj, obj.GetType(), Options));

    /// <summary>
    /// A stored value (<see cref="Encode"/>) as clients see it: <c>"resourceVersion"</c> spliced into its metadata
    /// where the serializer would have written it (properties are alphabetical), so that the answer to a write
    /// needs no second serialization. Falls back to null when the value has no metadata object.
    /// </summary>
    public static byte[]? WithResourceVersion(ReadOnlySpan<byte> value, long revision)
    {
        if (FindResourceVersionSlot(value) is not var (offset, comma))
            return null;
        var property = Encoding.UTF8.GetBytes(comma switch
        {
            Comma.Before => $",\"resourceVersion\":\"{revision.ToString(CultureInfo.InvariantCulture)}\"",
            Comma.After => $"\"resourceVersion\":\"{revision.ToString(CultureInfo.InvariantCulture)}\",",
            _ => $"\"resourceVersion\":\"{revision.ToString(CultureInfo.InvariantCulture)}\"",
        });
        var result = new byte[value.Length + property.Length];
        value[..offset].CopyTo(result);
        property.CopyTo(result.AsSpan(offset));
        value[offset..].CopyTo(result.AsSpan(offset + property.Length));
        return result;
    }

    private enum Comma { None, Before, After }

    /// <summary>Where in top-level <c>metadata</c> the resourceVersion property goes, and which side needs a comma.</summary>
    private static (int Offset, Comma Comma)? FindResourceVersionSlot(ReadOnlySpan<byte> value)
    {
        var reader = new Utf8JsonReader(value);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            return null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isMetadata = reader.ValueTextEquals("metadata"u8);
            reader.Read();
            if (!isMetadata || reader.TokenType != JsonTokenType.StartObject)
            {
                reader.Skip();
                continue;
            }
            var any = false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (NameAfterResourceVersion(ref reader))
                    return ((int)reader.TokenStartIndex, Comma.After);
                any = true;
                reader.Read();
                reader.Skip();
            }
            return reader.TokenType == JsonTokenType.EndObject ? ((int)reader.TokenStartIndex, any ? Comma.Before : Comma.None) : null;
        }
        return null;
    }

    private static bool NameAfterResourceVersion(ref Utf8JsonReader reader)
    {
        // Metadata names are plain ASCII, written unescaped; an escaped one just sorts by its raw bytes.
        var name = reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan;
        return name.SequenceCompareTo(ResourceVersionName) > 0;
    }
}
