namespace Navarch.ApiServer.Admission;

/// <summary>
/// The enabled plugins in upstream's fixed order (<see cref="AdmissionPluginNames.Ordered"/>, whatever order the flags
/// name them in): every mutating plugin first, then every validating one, as upstream's chain runs them.
/// </summary>
public sealed class AdmissionChain
{
    private readonly IReadOnlyList<IMutatingAdmission> _mutating;
    private readonly IReadOnlyList<IValidatingAdmission> _validating;

    public AdmissionChain(IEnumerable<IAdmissionPlugin> plugins)
    {
        var ordered = plugins.OrderBy(p => AdmissionPluginNames.Position(p.Name)).ToList();
        Names = ordered.Select(p => p.Name).ToList();
        _mutating = ordered.OfType<IMutatingAdmission>().ToList();
        _validating = ordered.OfType<IValidatingAdmission>().ToList();
    }

    /// <summary>A chain that admits everything.</summary>
    public static AdmissionChain Empty { get; } = new([]);

    /// <summary>The enabled plugins, in the order they run.</summary>
    public IReadOnlyList<string> Names { get; }

    public async Task AdmitAsync(AdmissionAttributes attributes, CancellationToken ct)
    {
        foreach (var plugin in _mutating)
            if (plugin.Handles(attributes.Operation)) await plugin.AdmitAsync(attributes, ct);
    }

    public async Task ValidateAsync(AdmissionAttributes attributes, CancellationToken ct)
    {
        foreach (var plugin in _validating)
            if (plugin.Handles(attributes.Operation)) await plugin.ValidateAsync(attributes, ct);
    }
}
