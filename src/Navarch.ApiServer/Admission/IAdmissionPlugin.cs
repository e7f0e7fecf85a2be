namespace Navarch.ApiServer.Admission;

/// <summary>An admission plugin, as upstream's <c>admission.Interface</c>: one class each, named as upstream names it.</summary>
public interface IAdmissionPlugin
{
    /// <summary>The name <c>--enable-admission-plugins</c> and <c>--disable-admission-plugins</c> use.</summary>
    string Name { get; }

    /// <summary>Whether the plugin wants to see writes of this operation at all.</summary>
    bool Handles(AdmissionOperation operation);
}

/// <summary>
/// Upstream's <c>admission.MutationInterface</c>: runs first, in the chain's order, after decoding and defaulting and
/// before validation; may change <see cref="AdmissionAttributes.Object"/>; throws an <c>ApiException</c> to refuse.
/// </summary>
public interface IMutatingAdmission : IAdmissionPlugin
{
    Task AdmitAsync(AdmissionAttributes attributes, CancellationToken ct);
}

/// <summary>
/// Upstream's <c>admission.ValidationInterface</c>: runs after every mutating plugin and the kind's own validation,
/// just before the write; must not change the object; throws an <c>ApiException</c> to refuse.
/// </summary>
public interface IValidatingAdmission : IAdmissionPlugin
{
    Task ValidateAsync(AdmissionAttributes attributes, CancellationToken ct);
}
