using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Navarch.Api.Resources;
using Navarch.Api.Schema;

namespace Navarch.Api.Protobuf;

/// <summary>
/// Decodes request bodies in Kubernetes' protobuf encoding (<c>application/vnd.kubernetes.protobuf</c>, what the
/// typed clients of kubectl 1.32+ send on create and update, and for namespaces, RBAC kinds, reviews, TokenRequest and
/// CSR approval) into the JSON the rest of the server reads. The
/// body is the magic <c>k8s\0</c> and a runtime.Unknown (typeMeta = 1, raw = 2) whose raw bytes are the object's
/// message; each message's field numbers come from <see cref="ProtoFields"/>, the value types from the model.
/// Unknown field numbers are skipped, as upstream's decoder does.
/// </summary>
public static class KubernetesProtobuf
{
    public const string MediaType = "application/vnd.kubernetes.protobuf";

    private static ReadOnlySpan<byte> Magic => "k8s\0"u8;

    /// <summary>The object in <paramref name="body"/> as JSON, with apiVersion and kind; throws <see cref="ProtoException"/>.</summary>
    public static JsonObject Decode(ReadOnlySpan<byte> body) => Decode(body, null);

    /// <summary>
    /// The object in <paramref name="body"/> as a <typeparamref name="T"/>: for the kinds no catalog resource stores (reviews,
    /// TokenRequest), which the handlers decode themselves. Throws <see cref="ProtoException"/> or <see cref="System.Text.Json.JsonException"/>.
    /// </summary>
    public static T? DecodeAs<T>(ReadOnlySpan<byte> body) => k8s.KubernetesJson.Deserialize<T>(Decode(body, typeof(T)).ToJsonString());

    /// <summary>The envelope's object decoded as <paramref name="model"/>, or as the catalog's model of its kind when null.</summary>
    private static JsonObject Decode(ReadOnlySpan<byte> body, Type? model)
    {
        if (!body.StartsWith(Magic)) throw new ProtoException("the body does not start with the k8s protobuf prefix");
        var envelope = new ProtoReader(body[Magic.Length..]);
        string apiVersion = "", kind = "";
        ReadOnlySpan<byte> raw = default;
        while (!envelope.AtEnd)
        {
            var (number, wire) = envelope.ReadTag();
            if (number == 1 && wire == 2)
            {
                var typeMeta = new ProtoReader(envelope.ReadBytes());
                while (!typeMeta.AtEnd)
                {
                    var (n, w) = typeMeta.ReadTag();
                    if (n is 1 or 2 && w == 2)
                    {
                        var text = Encoding.UTF8.GetString(typeMeta.ReadBytes());
                        if (n == 1) apiVersion = text; else kind = text;
                    }
                    else typeMeta.Skip(w);
                }
            }
            else if (number == 2 && wire == 2) raw = envelope.ReadBytes();
            else envelope.Skip(wire);
        }
        model ??= ResourceCatalog.FindByKind(apiVersion, kind)?.ClrType
            ?? throw new ProtoException($"no kind \"{kind}\" is registered for version \"{apiVersion}\"");
        var obj = Message(raw, model);
        obj["apiVersion"] = apiVersion;
        obj["kind"] = kind;
        return obj;
    }

    private static JsonObject Message(ReadOnlySpan<byte> data, Type model)
    {
        var fields = ProtoFields.Of(model);
        var properties = ModelShape.PropertiesOf(model);
        var obj = new JsonObject();
        var reader = new ProtoReader(data);
        while (!reader.AtEnd)
        {
            var (number, wire) = reader.ReadTag();
            if (fields is null || !fields.TryGetValue(number, out var name) || !properties.TryGetValue(name, out var type))
            {
                reader.Skip(wire);
                continue;
            }
            switch (ModelShape.KindOf(type))
            {
                case ShapeKind.List:
                    var element = ModelShape.ElementOf(type)!;
                    if (obj[name] is not JsonArray list) obj[name] = list = new JsonArray();
                    if (wire == 2 && IsVarintScalar(element))
                    {
                        // A packed repeated number: the slice holds the values one after another.
                        var packed = new ProtoReader(reader.ReadBytes());
                        while (!packed.AtEnd) list.Add(Value(ref packed, 0, element));
                    }
                    else list.Add(Value(ref reader, wire, element));
                    break;
                case ShapeKind.Map:
                    if (obj[name] is not JsonObject map) obj[name] = map = new JsonObject();
                    var (key, value) = Entry(reader.ReadBytes(), ModelShape.ElementOf(type)!);
                    map[key] = value;
                    break;
                default:
                    var single = Value(ref reader, wire, type);
                    if (single is not null && !IsOmittedZero(name, single)) obj[name] = single;
                    break;
            }
        }
        return obj;
    }

    /// <summary>
    /// Go writes every non-pointer field, zero values included, where its JSON omits them (omitempty): "", 0 and
    /// false are dropped, except for the pointer fields where a zero differs from absent (replicas: 0, runAsUser: 0,
    /// automountServiceAccountToken: false, ...).
    /// </summary>
    private static bool IsOmittedZero(string name, JsonNode value)
    {
        if (value is not JsonValue v) return false;
        if (v.TryGetValue<string>(out var text)) return text.Length == 0;
        if (PointerScalars.Contains(name)) return false;
        return v.TryGetValue<bool>(out var flag) ? !flag : v.TryGetValue<long>(out var n) ? n == 0 : v.TryGetValue<int>(out var i) && i == 0;
    }

    private static readonly HashSet<string> PointerScalars =
    [
        "replicas", "completions", "parallelism", "backoffLimit", "backoffLimitPerIndex", "maxFailedIndexes",
        "revisionHistoryLimit", "successfulJobsHistoryLimit", "failedJobsHistoryLimit", "terminationGracePeriodSeconds",
        "deletionGracePeriodSeconds", "ttlSecondsAfterFinished", "startingDeadlineSeconds", "activeDeadlineSeconds",
        "progressDeadlineSeconds", "runAsUser", "runAsGroup", "fsGroup", "defaultMode", "mode", "priority",
        "automountServiceAccountToken", "enableServiceLinks", "allowPrivilegeEscalation", "hostUsers",
    ];

    /// <summary>A map entry: key = 1, value = 2.</summary>
    private static (string Key, JsonNode? Value) Entry(ReadOnlySpan<byte> data, Type valueType)
    {
        var reader = new ProtoReader(data);
        string key = "";
        JsonNode? value = null;
        while (!reader.AtEnd)
        {
            var (number, wire) = reader.ReadTag();
            if (number == 1 && wire == 2) key = Encoding.UTF8.GetString(reader.ReadBytes());
            else if (number == 2) value = Value(ref reader, wire, valueType);
            else reader.Skip(wire);
        }
        // A map value that is absent on the wire is the type's zero value.
        return (key, value ?? (valueType == typeof(string) ? JsonValue.Create("") : null));
    }

    private static JsonNode? Value(ref ProtoReader reader, int wire, Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (wire == 0)
        {
            var v = reader.ReadVarint();
            if (type == typeof(bool)) return JsonValue.Create(v != 0);
            if (type == typeof(int)) return JsonValue.Create((int)(long)v);
            return JsonValue.Create((long)v);
        }
        if (wire == 1)
        {
            var number = BitConverter.Int64BitsToDouble((long)reader.ReadFixed64());
            return double.IsFinite(number) ? JsonValue.Create(number) : throw new ProtoException("a double that JSON cannot hold (NaN or infinite)");
        }
        if (wire != 2)
        {
            reader.Skip(wire);
            return null;
        }
        var bytes = reader.ReadBytes();
        if (type == typeof(string)) return JsonValue.Create(Encoding.UTF8.GetString(bytes));
        if (type == typeof(byte[])) return JsonValue.Create(Convert.ToBase64String(bytes));
        if (type == typeof(DateTime) || type == typeof(DateTimeOffset)) return Time(bytes);
        if (type == typeof(k8s.Models.IntOrString)) return IntOrString(bytes);
        if (type == typeof(k8s.Models.ResourceQuantity)) return FirstString(bytes);
        return ModelShape.KindOf(type) switch
        {
            ShapeKind.Struct => Message(bytes, type),
            // runtime.RawExtension (raw = 1): JSON bytes.
            ShapeKind.FreeForm => RawExtension(bytes),
            _ => null,
        };
    }

    private static bool IsVarintScalar(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type == typeof(int) || type == typeof(long) || type == typeof(bool);
    }

    /// <summary>metav1.Time and MicroTime: seconds = 1, nanos = 2; the zero time is null, as JSON has it.</summary>
    private static JsonNode? Time(ReadOnlySpan<byte> data)
    {
        var reader = new ProtoReader(data);
        long seconds = 0, nanos = 0;
        while (!reader.AtEnd)
        {
            var (number, wire) = reader.ReadTag();
            if (number == 1 && wire == 0) seconds = (long)reader.ReadVarint();
            else if (number == 2 && wire == 0) nanos = (long)reader.ReadVarint();
            else reader.Skip(wire);
        }
        if (seconds == 0 && nanos == 0) return null;
        // Go's time range is wider than .NET's: a time outside years 1-9999 is the client's error, not the server's.
        if (seconds is < -62135596800 or > 253402300799 || nanos is < 0 or > 999_999_999) throw new ProtoException($"a time out of range ({seconds} s, {nanos} ns)");
        var time = DateTimeOffset.FromUnixTimeSeconds(seconds).AddTicks(nanos / 100).UtcDateTime;
        var format = nanos == 0 ? "yyyy-MM-dd'T'HH:mm:ss'Z'" : "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'";
        return JsonValue.Create(time.ToString(format, CultureInfo.InvariantCulture));
    }

    /// <summary>intstr.IntOrString: type = 1 (0 int, 1 string), intVal = 2, strVal = 3.</summary>
    private static JsonNode? IntOrString(ReadOnlySpan<byte> data)
    {
        var reader = new ProtoReader(data);
        long kind = 0, number = 0;
        var text = "";
        while (!reader.AtEnd)
        {
            var (n, wire) = reader.ReadTag();
            if (n == 1 && wire == 0) kind = (long)reader.ReadVarint();
            else if (n == 2 && wire == 0) number = (int)(long)reader.ReadVarint();
            else if (n == 3 && wire == 2) text = Encoding.UTF8.GetString(reader.ReadBytes());
            else reader.Skip(wire);
        }
        return kind == 1 ? JsonValue.Create(text) : JsonValue.Create(number);
    }

    /// <summary>resource.Quantity: string = 1.</summary>
    private static JsonNode? FirstString(ReadOnlySpan<byte> data)
    {
        var reader = new ProtoReader(data);
        while (!reader.AtEnd)
        {
            var (n, wire) = reader.ReadTag();
            if (n == 1 && wire == 2) return JsonValue.Create(Encoding.UTF8.GetString(reader.ReadBytes()));
            reader.Skip(wire);
        }
        return null;
    }

    private static JsonNode? RawExtension(ReadOnlySpan<byte> data)
    {
        var reader = new ProtoReader(data);
        while (!reader.AtEnd)
        {
            var (n, wire) = reader.ReadTag();
            if (n == 1 && wire == 2)
            {
                var raw = reader.ReadBytes();
                return raw.Length == 0 ? null : JsonNode.Parse(raw);
            }
            reader.Skip(wire);
        }
        return null;
    }
}
