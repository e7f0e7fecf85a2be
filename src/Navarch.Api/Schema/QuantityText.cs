using System.Text.Json;
using System.Text.Json.Nodes;

namespace Navarch.Api.Schema;

/// <summary>
/// A quantity as the client library can hold it. Upstream's decoder takes a quantity as a string or a bare number; the
/// library reads a number through a double (losing digits) and mangles negative values (<c>-1</c> becomes
/// <c>-0.000000000000000001E</c>, and one numeric value made it loop forever). Every quantity Navarch serves (capacity,
/// allocatable, requests, limits, overhead, sizeLimit) must be non-negative upstream, so a negative one is refused here,
/// before decoding, and a number is passed on as its text.
/// </summary>
public static class QuantityText
{
    /// <summary>The value to decode in place of <paramref name="value"/>; throws <see cref="FormatException"/> for a negative or non-scalar one.</summary>
    public static JsonValue Checked(JsonValue value)
    {
        var text = value.GetValueKind() switch
        {
            JsonValueKind.String => value.GetValue<string>(),
            JsonValueKind.Number => value.ToJsonString(),
            _ => throw new FormatException("quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"),
        };
        if (text.TrimStart().StartsWith('-')) throw new FormatException($"quantity {text}: must be greater than or equal to 0");
        return value.GetValueKind() == JsonValueKind.String ? value : JsonValue.Create(text);
    }
}
