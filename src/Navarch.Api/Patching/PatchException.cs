namespace Navarch.Api.Patching;

/// <summary>How a patch failed; the API server maps each kind to one HTTP status.</summary>
public enum PatchErrorKind
{
    /// <summary>The patch body cannot be decoded or is malformed (HTTP 400).</summary>
    BadRequest,
    /// <summary>The patch is well formed but cannot be applied to this object (HTTP 422).</summary>
    Invalid,
    /// <summary>Server-side apply found fields owned by other managers (HTTP 409).</summary>
    Conflict,
    /// <summary>The patch would make the server do or hold too much: too many operations, too much copied (HTTP 413).</summary>
    TooLarge,
}

/// <summary>A patch could not be decoded or applied. <see cref="Exception.Message"/> is upstream's text.</summary>
public sealed class PatchException : Exception
{
    public PatchException(PatchErrorKind kind, string message) : base(message) => Kind = kind;

    public PatchErrorKind Kind { get; }

    /// <summary>For <see cref="PatchErrorKind.Conflict"/>: each conflicting field, for the Status causes (type FieldManagerConflict).</summary>
    public IReadOnlyList<ApplyConflict> Conflicts { get; init; } = [];
}
