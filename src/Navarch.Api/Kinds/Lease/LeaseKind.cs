using k8s.Models;
using Navarch.Api.Printing;
using Navarch.Api.Resources;
using Navarch.Api.Validation;

namespace Navarch.Api.Kinds.Lease;

/// <summary>coordination.k8s.io/v1 Lease.</summary>
public sealed class LeaseKind() : KindDefinition<V1Lease>(ResourceType.Create<V1Lease>(
    "coordination.k8s.io", "v1", "Lease", "leases", namespaced: true))
{
    internal override RowPrinter Printer { get; } = new LeaseRowPrinter();

    protected override void Validate(V1Lease lease, List<FieldError> errors) => LeaseValidator.Validate(lease, errors);
}
