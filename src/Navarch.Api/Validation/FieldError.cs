using System.Globalization;

namespace Navarch.Api.Validation;

/// <summary>
/// One field-level validation error, formatted exactly as upstream's field.Error. <see cref="BadValue"/> is the
/// offending value as text; it is quoted like Go's %q unless <see cref="BadValueIsLiteral"/> (numbers, maps).
/// </summary>
public sealed record FieldError(FieldErrorType Type, string Field, string Detail, string? BadValue)
{
    /// <summary>True when <see cref="BadValue"/> is already rendered (e.g. <c>70000</c>, <c>map[string]string{...}</c>).</summary>
    public bool BadValueIsLiteral { get; init; }

    /// <summary>The Status cause type: <c>FieldValueRequired</c>, <c>FieldValueInvalid</c>, ...</summary>
    public string Reason => Type switch
    {
        FieldErrorType.Required => "FieldValueRequired",
        FieldErrorType.Invalid => "FieldValueInvalid",
        FieldErrorType.Duplicate => "FieldValueDuplicate",
        FieldErrorType.NotSupported => "FieldValueNotSupported",
        FieldErrorType.TooLong => "FieldValueTooLong",
        FieldErrorType.TooMany => "FieldValueTooMany",
        FieldErrorType.Forbidden => "FieldValueForbidden",
        FieldErrorType.NotFound => "FieldValueNotFound",
        _ => throw new ArgumentOutOfRangeException(nameof(Type)),
    };

    /// <summary>The message without the field (upstream's ErrorBody, the Status cause message).</summary>
    public string ErrorBody
    {
        get
        {
            var title = Type switch
            {
                FieldErrorType.Required => "Required value",
                FieldErrorType.Invalid => "Invalid value",
                FieldErrorType.Duplicate => "Duplicate value",
                FieldErrorType.NotSupported => "Unsupported value",
                FieldErrorType.TooLong => "Too long",
                FieldErrorType.TooMany => "Too many",
                FieldErrorType.Forbidden => "Forbidden",
                FieldErrorType.NotFound => "Not found",
                _ => throw new ArgumentOutOfRangeException(nameof(Type)),
            };
            var body = Type is FieldErrorType.Required or FieldErrorType.Forbidden or FieldErrorType.TooLong
                ? title
                : $"{title}: {RenderedValue}";
            return Detail.Length == 0 ? body : $"{body}: {Detail}";
        }
    }

    /// <summary><c>field: body</c>, as upstream's field.Error.Error().</summary>
    public string Message => $"{Field}: {ErrorBody}";

    private string RenderedValue => BadValue is null ? "null" : BadValueIsLiteral ? BadValue : GoText.Quote(BadValue);

    public override string ToString() => Message;

    public static FieldError Required(string field, string detail = "") => new(FieldErrorType.Required, field, detail, null);

    public static FieldError Forbidden(string field, string detail) => new(FieldErrorType.Forbidden, field, detail, null);

    public static FieldError Invalid(string field, string? value, string detail) => new(FieldErrorType.Invalid, field, detail, value);

    public static FieldError Invalid(string field, long value, string detail) =>
        new(FieldErrorType.Invalid, field, detail, value.ToString(CultureInfo.InvariantCulture)) { BadValueIsLiteral = true };

    /// <summary>An Invalid error whose value is already rendered as Go would print it.</summary>
    public static FieldError InvalidLiteral(string field, string literal, string detail) =>
        new(FieldErrorType.Invalid, field, detail, literal) { BadValueIsLiteral = true };

    public static FieldError NotFound(string field, string value) => new(FieldErrorType.NotFound, field, "", value);

    public static FieldError Duplicate(string field, string value) => new(FieldErrorType.Duplicate, field, "", value);

    public static FieldError Duplicate(string field, long value) =>
        new(FieldErrorType.Duplicate, field, "", value.ToString(CultureInfo.InvariantCulture)) { BadValueIsLiteral = true };

    /// <summary>An Unsupported error listing the supported values in the order given.</summary>
    public static FieldError NotSupported(string field, string? value, IEnumerable<string> supported)
    {
        var list = string.Join(", ", supported.Select(GoText.Quote));
        return new(FieldErrorType.NotSupported, field, list.Length == 0 ? "" : "supported values: " + list, value);
    }

    public static FieldError TooLong(string field, int maxBytes) =>
        new(FieldErrorType.TooLong, field, $"must have at most {maxBytes} bytes", null);

    public static FieldError TooMany(string field, int actual, int max) =>
        new(FieldErrorType.TooMany, field, $"must have at most {max} items", actual.ToString(CultureInfo.InvariantCulture)) { BadValueIsLiteral = true };
}
