using k8s.Models;
using Navarch.Api.Defaulting;
using Navarch.Api.Printing;
using Navarch.Api.Resources;
using Navarch.Api.Validation;

namespace Navarch.Api.Kinds.EndpointSlice;

/// <summary>discovery.k8s.io/v1 EndpointSlice.</summary>
public sealed class EndpointSliceKind() : KindDefinition<V1EndpointSlice>(ResourceType.Create<V1EndpointSlice>(
    "discovery.k8s.io", "v1", "EndpointSlice", "endpointslices", namespaced: true))
{
    internal override RowPrinter Printer { get; } = new EndpointSliceRowPrinter();

    protected override void Default(V1EndpointSlice slice) => EndpointDefaults.Apply(slice);

    protected override void Validate(V1EndpointSlice slice, List<FieldError> errors) => EndpointSliceValidator.Validate(slice, errors);

    protected override void ValidateUpdate(V1EndpointSlice slice, V1EndpointSlice old, List<FieldError> errors) =>
        EndpointSliceValidator.ValidateUpdate(slice, old, errors);
}
