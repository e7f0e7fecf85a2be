using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using k8s;
using k8s.Models;

namespace Navarch.Api.Serialization;

/// <summary>
/// The JSON the API server writes, stored and served: KubernetesJson's options, with times written as upstream
/// writes them. KubernetesClient has one <see cref="DateTime"/> type for both of upstream's time types and writes
/// whole seconds as <c>…:21Z</c> and anything else with six digits; upstream writes <c>metav1.Time</c> in whole
/// seconds always and <c>metav1.MicroTime</c> with exactly six digits always. kubectl parses a MicroTime with the
/// fixed layout <c>2006-01-02T15:04:05.000000Z07:00</c>, so a Lease renewed on a whole second broke
/// <c>kubectl describe node</c> ("Failed to get lease").
/// </summary>
/// <remarks>A copy, not KubernetesJson's own options: clients in this process keep the library's behaviour.</remarks>
public static class WireJson
{
    /// <summary>Upstream's <c>metav1.MicroTime</c> fields (every other time is a <c>metav1.Time</c>), by model and JSON name.</summary>
    private static readonly Dictionary<Type, string[]> MicroTimeFields = new()
    {
        [typeof(V1LeaseSpec)] = ["acquireTime", "renewTime"],
        [typeof(V1beta1LeaseCandidateSpec)] = ["pingTime", "renewTime"],
        [typeof(V1alpha2LeaseCandidateSpec)] = ["pingTime", "renewTime"],
        [typeof(Corev1Event)] = ["eventTime"],
        [typeof(Corev1EventSeries)] = ["lastObservedTime"],
        [typeof(Eventsv1Event)] = ["eventTime"],
        [typeof(Eventsv1EventSeries)] = ["lastObservedTime"],
    };

    public static JsonSerializerOptions Options { get; } = Create();

    public static string Serialize(object value) => JsonSerializer.Serialize(value, value.GetType(), Options);

    public static byte[] SerializeToUtf8Bytes(object value) => JsonSerializer.SerializeToUtf8Bytes(value, value.GetType(), Options);

    /// <summary>Whether <paramref name="model"/>'s property <paramref name="jsonName"/> is a MicroTime upstream.</summary>
    public static bool IsMicroTime(Type model, string jsonName) =>
        MicroTimeFields.TryGetValue(model, out var names) && names.Contains(jsonName);

    private static JsonSerializerOptions Create()
    {
        JsonSerializerOptions? library = null;
        KubernetesJson.AddJsonOptions(o => library = o);
        var options = new JsonSerializerOptions(library ?? throw new InvalidOperationException("KubernetesJson exposed no serializer options"));
        // Ahead of the library's own DateTime converter, which reads every RFC 3339 form and stays in use for reading.
        options.Converters.Insert(0, TimeConverter.Instance);
        options.TypeInfoResolver = options.TypeInfoResolver!.WithAddedModifier(UseMicroTimeConverter);
        options.MakeReadOnly();
        return options;
    }

    private static void UseMicroTimeConverter(JsonTypeInfo info)
    {
        if (!MicroTimeFields.TryGetValue(info.Type, out var names)) return;
        foreach (var property in info.Properties)
            if (names.Contains(property.Name))
                property.CustomConverter = property.PropertyType == typeof(DateTime?) ? NullableMicroTimeConverter.Instance : MicroTimeConverter.Instance;
    }

    /// <summary>Reads any RFC 3339 time as KubernetesClient does; writes <paramref name="format"/> in UTC.</summary>
    private abstract class FixedFormatConverter(string format) : JsonConverter<DateTime>
    {
        private static readonly KubernetesJson.KubernetesDateTimeConverter Reader = new();

        public override DateTime Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            Reader.Read(ref reader, typeToConvert, options);

        public override void Write(Utf8JsonWriter writer, DateTime value, JsonSerializerOptions options) =>
            writer.WriteStringValue(ToUtc(value).ToString(format, CultureInfo.InvariantCulture));

        // Unspecified counts as UTC, as KubernetesClient's converter has it (a DateTimeOffset of the value).
        private static DateTime ToUtc(DateTime value) => value.Kind == DateTimeKind.Local ? value.ToUniversalTime() : value;
    }

    /// <summary><c>metav1.Time</c>: RFC 3339 in whole seconds, the fraction dropped.</summary>
    private sealed class TimeConverter() : FixedFormatConverter("yyyy'-'MM'-'dd'T'HH':'mm':'ss'Z'")
    {
        public static readonly TimeConverter Instance = new();
    }

    /// <summary><c>metav1.MicroTime</c>: RFC 3339 with exactly six fractional digits.</summary>
    private sealed class MicroTimeConverter() : FixedFormatConverter("yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'ffffff'Z'")
    {
        public static readonly MicroTimeConverter Instance = new();
    }

    /// <summary>A property's own converter must match its type exactly: most times are optional.</summary>
    private sealed class NullableMicroTimeConverter : JsonConverter<DateTime?>
    {
        public static readonly NullableMicroTimeConverter Instance = new();

        public override DateTime? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.TokenType == JsonTokenType.Null ? null : MicroTimeConverter.Instance.Read(ref reader, typeof(DateTime), options);

        public override void Write(Utf8JsonWriter writer, DateTime? value, JsonSerializerOptions options)
        {
            if (value is { } time) MicroTimeConverter.Instance.Write(writer, time, options);
            else writer.WriteNullValue();
        }
    }
}
