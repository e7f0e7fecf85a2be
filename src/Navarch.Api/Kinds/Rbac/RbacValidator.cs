using k8s.Models;

using Navarch.Api.Validation;

namespace Navarch.Api.Kinds.Rbac;

/// <summary>Upstream's rbac validation: path-segment names (so "system:discovery" is fine), rules with verbs, bindings with a role.</summary>
public static class RbacValidator
{
    /// <summary>Upstream's path.IsValidPathSegmentName: anything but ".", ".." and names holding '/' or '%'.</summary>
    public static NameRule PathSegment { get; } = (name, _) =>
        name is "." or ".." ? [$"may not be '{name}'"]
        : name.Contains('/') ? ["may not contain '/'"]
        : name.Contains('%') ? ["may not contain '%'"]
        : [];

    public static void Validate(V1Role role, List<FieldError> errors)
    {
        MetadataValidator.ValidateObjectMeta(role.Metadata, true, PathSegment, "metadata", errors);
        Rules(role.Rules, namespaced: true, errors);
    }

    public static void Validate(V1ClusterRole role, List<FieldError> errors)
    {
        MetadataValidator.ValidateObjectMeta(role.Metadata, false, PathSegment, "metadata", errors);
        Rules(role.Rules, namespaced: false, errors);
    }

    public static void Validate(V1RoleBinding binding, List<FieldError> errors)
    {
        MetadataValidator.ValidateObjectMeta(binding.Metadata, true, PathSegment, "metadata", errors);
        Binding(binding.RoleRef, binding.Subjects, ["Role", "ClusterRole"], errors);
    }

    public static void Validate(V1ClusterRoleBinding binding, List<FieldError> errors)
    {
        MetadataValidator.ValidateObjectMeta(binding.Metadata, false, PathSegment, "metadata", errors);
        Binding(binding.RoleRef, binding.Subjects, ["ClusterRole"], errors);
    }

    /// <summary>A binding's roleRef never changes (upstream: delete and recreate the binding instead).</summary>
    public static void ValidateUpdate(V1RoleRef? roleRef, V1RoleRef? old, List<FieldError> errors)
    {
        if (roleRef is not null && old is not null && (roleRef.ApiGroup, roleRef.Kind, roleRef.Name) != (old.ApiGroup, old.Kind, old.Name))
            errors.Add(FieldError.Invalid("roleRef", null, "cannot change roleRef"));
    }

    private static void Rules(IList<V1PolicyRule>? rules, bool namespaced, List<FieldError> errors)
    {
        for (var i = 0; i < (rules?.Count ?? 0); i++)
        {
            var rule = rules![i];
            var path = $"rules[{i}]";
            if (rule.Verbs is not { Count: > 0 }) errors.Add(FieldError.Required(path + ".verbs", "verbs must contain at least one value"));
            var urls = rule.NonResourceURLs is { Count: > 0 };
            if (urls && namespaced) errors.Add(FieldError.Invalid(path + ".nonResourceURLs", string.Join(",", rule.NonResourceURLs!), "namespaced rules cannot apply to non-resource URLs"));
            if (urls && (rule.ApiGroups is { Count: > 0 } || rule.Resources is { Count: > 0 }))
                errors.Add(FieldError.Invalid(path + ".nonResourceURLs", string.Join(",", rule.NonResourceURLs!), "rules cannot apply to both regular resources and non-resource URLs"));
            if (!urls && rule.Resources is { Count: > 0 } && rule.ApiGroups is not { Count: > 0 })
                errors.Add(FieldError.Required(path + ".apiGroups", "resource rules must supply at least one api group"));
        }
    }

    private static void Binding(V1RoleRef? roleRef, IList<Rbacv1Subject>? subjects, string[] kinds, List<FieldError> errors)
    {
        if (roleRef is null) errors.Add(FieldError.Required("roleRef"));
        else
        {
            if (roleRef.ApiGroup != "rbac.authorization.k8s.io") errors.Add(FieldError.NotSupported("roleRef.apiGroup", roleRef.ApiGroup, ["rbac.authorization.k8s.io"]));
            if (!kinds.Contains(roleRef.Kind)) errors.Add(FieldError.NotSupported("roleRef.kind", roleRef.Kind, kinds));
            if (string.IsNullOrEmpty(roleRef.Name)) errors.Add(FieldError.Required("roleRef.name"));
        }
        for (var i = 0; i < (subjects?.Count ?? 0); i++)
        {
            var s = subjects![i];
            if (string.IsNullOrEmpty(s.Name)) errors.Add(FieldError.Required($"subjects[{i}].name"));
            if (s.Kind is not ("User" or "Group" or "ServiceAccount")) errors.Add(FieldError.NotSupported($"subjects[{i}].kind", s.Kind, ["ServiceAccount", "User", "Group"]));
        }
    }
}
