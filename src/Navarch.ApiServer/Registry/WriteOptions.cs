namespace Navarch.ApiServer.Registry;

/// <param name="FieldManager">Who makes the change (managedFields); defaults to the client's user agent.</param>
/// <param name="Subresource">"status", "scale", ... or null for the main resource.</param>
/// <param name="DryRun">Validate and answer as if written, but write nothing.</param>
public sealed record WriteOptions(string FieldManager, string? Subresource = null, bool DryRun = false)
{
    /// <summary>
    /// Set only by the server itself for objects that upstream's validation would refuse but that are true
    /// here: the <c>kubernetes</c> endpoints on a loopback address when the server listens on loopback.
    /// </summary>
    internal bool SkipValidation { get; init; }

    /// <summary>Who asks, for the admission chain; null for the server's own writes, which skip admission.</summary>
    public Admission.AdmissionRequest? Admission { get; init; }
}
