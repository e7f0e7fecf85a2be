using k8s.Models;
using Navarch.Api.Validation;

namespace Navarch.Api.Kinds.Lease;

/// <summary>Leases: upstream's ValidateLeaseSpec.</summary>
public static class LeaseValidator
{
    public static void Validate(V1Lease lease, List<FieldError> errors)
    {
        MetadataValidator.ValidateObjectMeta(lease.Metadata, namespaced: true, NameRules.DnsSubdomain, "metadata", errors);
        var spec = lease.Spec ?? new V1LeaseSpec();
        if (spec.LeaseDurationSeconds is <= 0)
        {
            errors.Add(FieldError.Invalid("spec.leaseDurationSeconds", spec.LeaseDurationSeconds.Value, "must be greater than 0"));
        }
        if (spec.LeaseTransitions is < 0)
        {
            errors.Add(FieldError.Invalid("spec.leaseTransitions", spec.LeaseTransitions.Value, "must be greater than or equal to 0"));
        }
        if (!string.IsNullOrEmpty(spec.PreferredHolder) && string.IsNullOrEmpty(spec.HolderIdentity))
        {
            errors.Add(FieldError.Forbidden("spec.preferredHolder", "may only be specified if `holderIdentity` is specified"));
        }
    }
}
