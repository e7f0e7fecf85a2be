using k8s.Models;
using Navarch.Api.Defaulting;
using Navarch.Api.Printing;
using Navarch.Api.Resources;
using Navarch.Api.Validation;

namespace Navarch.Api.Kinds.Endpoints;

/// <summary>v1 Endpoints.</summary>
public sealed class EndpointsKind() : KindDefinition<V1Endpoints>(ResourceType.Create<V1Endpoints>(
    "", "v1", "Endpoints", "endpoints", namespaced: true, shortNames: ["ep"]))
{
    internal override RowPrinter Printer { get; } = new EndpointsRowPrinter();

    protected override void Default(V1Endpoints ep) => EndpointDefaults.Apply(ep);

    protected override void Validate(V1Endpoints ep, List<FieldError> errors) => EndpointsValidator.Validate(ep, errors);
}
