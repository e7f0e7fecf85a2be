using System.Reflection;
using System.Text.RegularExpressions;
using k8s.Models;
using Navarch.Api.Resources;

namespace Navarch.Api.Discovery;

/// <summary>
/// Upstream OpenAPI names for KubernetesClient models: <c>V1PodSpec</c> → <c>io.k8s.api.core.v1.PodSpec</c>,
/// <c>V1ObjectMeta</c> → <c>io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta</c>. The models do not record
/// their Go package, so a nested type belongs to the first catalog resource (in catalog order) that reaches it.
/// </summary>
internal static partial class SchemaNames
{
    private const string Meta = "io.k8s.apimachinery.pkg.apis.meta.v1";

    private static readonly Dictionary<Type, string> Fixed = new()
    {
        [typeof(ResourceQuantity)] = "io.k8s.apimachinery.pkg.api.resource.Quantity",
        [typeof(IntOrString)] = "io.k8s.apimachinery.pkg.util.intstr.IntOrString",
        [typeof(V1Patch)] = $"{Meta}.Patch",
    };

    private static readonly HashSet<Type> MetaTypes =
    [
        typeof(V1ObjectMeta), typeof(V1ListMeta), typeof(V1OwnerReference), typeof(V1ManagedFieldsEntry),
        typeof(V1Status), typeof(V1StatusDetails), typeof(V1StatusCause), typeof(V1DeleteOptions), typeof(V1Preconditions),
        typeof(V1LabelSelector), typeof(V1LabelSelectorRequirement), typeof(V1Condition),
    ];

    private static readonly Type[] AutoscalingTypes = [typeof(V1Scale), typeof(V1ScaleSpec), typeof(V1ScaleStatus)];

    private static readonly Lazy<Dictionary<Type, string>> Homes = new(BuildHomes);

    /// <summary>The schema name of <paramref name="model"/>; <paramref name="fallbackPackage"/> when no catalog resource reaches it.</summary>
    public static string For(Type model, string fallbackPackage)
    {
        if (Fixed.TryGetValue(model, out var name)) return name;
        var package = MetaTypes.Contains(model) ? Meta
            : AutoscalingTypes.Contains(model) ? Package("autoscaling", "v1")
            : Homes.Value.GetValueOrDefault(model, fallbackPackage);
        return $"{package}.{ShortName(model)}";
    }

    /// <summary>The Go package prefix of a group/version: <c>io.k8s.api.coordination.v1</c>.</summary>
    public static string Package(string group, string version) =>
        $"io.k8s.api.{(group.Length == 0 ? "core" : group.Split('.')[0])}.{version}";

    /// <summary>The model's Go type name: the version prefix (<c>V1</c>, <c>Corev1</c>) removed.</summary>
    public static string ShortName(Type model) => VersionPrefix().Replace(model.Name, "");

    /// <summary>The kind a top-level model declares, or null for nested types.</summary>
    public static GroupVersionKind? KindOf(Type model) =>
        model.GetCustomAttribute<KubernetesEntityAttribute>() is { Kind.Length: > 0 } e
            ? new GroupVersionKind(e.Group ?? "", e.ApiVersion, e.Kind)
            : null;

    private static Dictionary<Type, string> BuildHomes()
    {
        var homes = new Dictionary<Type, string>();
        foreach (var resource in ResourceCatalog.All)
        {
            Type?[] roots = [resource.ClrType, ApiPaths.ListType(resource)];
            foreach (var type in ModelGraph.Closure(roots.OfType<Type>()))
            {
                homes.TryAdd(type, Package(resource.Group, resource.Version));
            }
        }
        homes.TryAdd(typeof(V1Binding), Package("", "v1"));
        // The kinds only posted, never stored: TokenRequest and the reviews.
        foreach (var type in ModelGraph.Closure([typeof(Authenticationv1TokenRequest), typeof(V1TokenReview), typeof(V1SelfSubjectReview)]))
            homes.TryAdd(type, Package("authentication.k8s.io", "v1"));
        foreach (var type in ModelGraph.Closure([typeof(V1SubjectAccessReview), typeof(V1LocalSubjectAccessReview),
                     typeof(V1SelfSubjectAccessReview), typeof(V1SelfSubjectRulesReview)]))
            homes.TryAdd(type, Package("authorization.k8s.io", "v1"));
        return homes;
    }

    [GeneratedRegex("^(?:[A-Z][a-z]+v[0-9]+|V[0-9]+(?:alpha[0-9]+|beta[0-9]+)?)(?=[A-Z])")]
    private static partial Regex VersionPrefix();
}
