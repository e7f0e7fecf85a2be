namespace Navarch.Api.Validation;

/// <summary>Why a field is invalid (upstream's field.ErrorType).</summary>
public enum FieldErrorType
{
    Required,
    Invalid,
    Duplicate,
    NotSupported,
    TooLong,
    TooMany,
    Forbidden,
    NotFound,
}
