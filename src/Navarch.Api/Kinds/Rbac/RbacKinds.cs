using k8s.Models;
using Navarch.Api.Resources;
using Navarch.Api.Validation;

namespace Navarch.Api.Kinds.Rbac;

/// <summary>rbac.authorization.k8s.io/v1 Role.</summary>
public sealed class RoleKind() : KindDefinition<V1Role>(ResourceType.Create<V1Role>(
    "rbac.authorization.k8s.io", "v1", "Role", "roles", namespaced: true))
{
    protected override void Validate(V1Role role, List<FieldError> errors) => RbacValidator.Validate(role, errors);
}

/// <summary>rbac.authorization.k8s.io/v1 ClusterRole.</summary>
public sealed class ClusterRoleKind() : KindDefinition<V1ClusterRole>(ResourceType.Create<V1ClusterRole>(
    "rbac.authorization.k8s.io", "v1", "ClusterRole", "clusterroles", namespaced: false))
{
    protected override void Validate(V1ClusterRole role, List<FieldError> errors) => RbacValidator.Validate(role, errors);
}

/// <summary>rbac.authorization.k8s.io/v1 RoleBinding: its roleRef never changes.</summary>
public sealed class RoleBindingKind() : KindDefinition<V1RoleBinding>(ResourceType.Create<V1RoleBinding>(
    "rbac.authorization.k8s.io", "v1", "RoleBinding", "rolebindings", namespaced: true))
{
    protected override void Validate(V1RoleBinding binding, List<FieldError> errors) => RbacValidator.Validate(binding, errors);

    protected override void ValidateUpdate(V1RoleBinding binding, V1RoleBinding old, List<FieldError> errors) =>
        RbacValidator.ValidateUpdate(binding.RoleRef, old.RoleRef, errors);
}

/// <summary>rbac.authorization.k8s.io/v1 ClusterRoleBinding: its roleRef never changes.</summary>
public sealed class ClusterRoleBindingKind() : KindDefinition<V1ClusterRoleBinding>(ResourceType.Create<V1ClusterRoleBinding>(
    "rbac.authorization.k8s.io", "v1", "ClusterRoleBinding", "clusterrolebindings", namespaced: false))
{
    protected override void Validate(V1ClusterRoleBinding binding, List<FieldError> errors) => RbacValidator.Validate(binding, errors);

    protected override void ValidateUpdate(V1ClusterRoleBinding binding, V1ClusterRoleBinding old, List<FieldError> errors) =>
        RbacValidator.ValidateUpdate(binding.RoleRef, old.RoleRef, errors);
}
