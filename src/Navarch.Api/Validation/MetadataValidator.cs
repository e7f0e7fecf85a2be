using k8s.Models;

namespace Navarch.Api.Validation;

/// <summary>Upstream's ObjectMeta checks: names, namespace, labels, annotations, finalizers.</summary>
public static class MetadataValidator
{
    /// <summary>Upstream's total annotation size limit (keys plus values), 256 KiB.</summary>
    public const int TotalAnnotationSizeLimitBytes = 256 * 1024;

    private static readonly HashSet<string> StandardFinalizers = new(StringComparer.Ordinal)
    {
        "kubernetes", "orphan", "foregroundDeletion",
    };

    /// <summary>Validates metadata of an object being created (or the new metadata of an update).</summary>
    public static void ValidateObjectMeta(V1ObjectMeta? meta, bool namespaced, NameRule nameRule, string path, List<FieldError> errors)
    {
        meta ??= new V1ObjectMeta();
        if (!string.IsNullOrEmpty(meta.GenerateName))
        {
            foreach (var msg in nameRule(meta.GenerateName, true))
            {
                errors.Add(FieldError.Invalid(path + ".generateName", meta.GenerateName, msg));
            }
        }
        if (string.IsNullOrEmpty(meta.Name))
        {
            errors.Add(FieldError.Required(path + ".name", "name or generateName is required"));
        }
        else
        {
            foreach (var msg in nameRule(meta.Name, false))
            {
                errors.Add(FieldError.Invalid(path + ".name", meta.Name, msg));
            }
        }
        if (namespaced)
        {
            if (string.IsNullOrEmpty(meta.NamespaceProperty))
            {
                errors.Add(FieldError.Required(path + ".namespace"));
            }
            else
            {
                foreach (var msg in ValueFormats.IsDns1123Label(meta.NamespaceProperty))
                {
                    errors.Add(FieldError.Invalid(path + ".namespace", meta.NamespaceProperty, msg));
                }
            }
        }
        else if (!string.IsNullOrEmpty(meta.NamespaceProperty))
        {
            errors.Add(FieldError.Forbidden(path + ".namespace", "not allowed on this type"));
        }
        if (meta.Generation < 0)
        {
            errors.Add(FieldError.Invalid(path + ".generation", meta.Generation.Value, "must be greater than or equal to 0"));
        }
        ValidateLabels(meta.Labels, path + ".labels", errors);
        ValidateAnnotations(meta.Annotations, path + ".annotations", errors);
        ValidateFinalizers(meta.Finalizers, path + ".finalizers", errors);
    }

    /// <summary>Checks that name, namespace and uid did not change.</summary>
    public static void ValidateObjectMetaUpdate(V1ObjectMeta? meta, V1ObjectMeta? old, string path, List<FieldError> errors)
    {
        meta ??= new V1ObjectMeta();
        old ??= new V1ObjectMeta();
        Immutable(meta.Name, old.Name, path + ".name", errors);
        Immutable(meta.NamespaceProperty, old.NamespaceProperty, path + ".namespace", errors);
        if (!string.IsNullOrEmpty(meta.Uid))
        {
            Immutable(meta.Uid, old.Uid, path + ".uid", errors);
        }
    }

    /// <summary>Upstream's ValidateImmutableField for strings: "field is immutable".</summary>
    public static void Immutable(string? value, string? old, string path, List<FieldError> errors)
    {
        if (!string.Equals(value ?? "", old ?? "", StringComparison.Ordinal))
        {
            errors.Add(FieldError.Invalid(path, value ?? "", "field is immutable"));
        }
    }

    /// <summary>Label keys must be qualified names and values valid label values; errors point at the map.</summary>
    public static void ValidateLabels(IDictionary<string, string>? labels, string path, List<FieldError> errors)
    {
        foreach (var (key, value) in Sorted(labels))
        {
            ValidateQualifiedName(key, path, errors);
            foreach (var msg in ValueFormats.IsLabelValue(value))
            {
                errors.Add(FieldError.Invalid(path, value, msg));
            }
        }
    }

    /// <summary>Each message of <see cref="ValueFormats.IsQualifiedName"/> as an Invalid error at <paramref name="path"/>.</summary>
    public static void ValidateQualifiedName(string value, string path, List<FieldError> errors)
    {
        foreach (var msg in ValueFormats.IsQualifiedName(value))
        {
            errors.Add(FieldError.Invalid(path, value, msg));
        }
    }

    /// <summary>Keys are case-insensitive qualified names; keys plus values at most 256 KiB.</summary>
    public static void ValidateAnnotations(IDictionary<string, string>? annotations, string path, List<FieldError> errors)
    {
        long total = 0;
        foreach (var (key, value) in Sorted(annotations))
        {
            foreach (var msg in ValueFormats.IsQualifiedName(key.ToLowerInvariant()))
            {
                errors.Add(FieldError.Invalid(path, key, msg));
            }
            total += ValueFormats.ByteLength(key) + ValueFormats.ByteLength(value ?? "");
        }
        if (total > TotalAnnotationSizeLimitBytes)
        {
            errors.Add(FieldError.TooLong(path, TotalAnnotationSizeLimitBytes));
        }
    }

    /// <summary>Finalizers: qualified names, either standard ones or domain-prefixed; no duplicates.</summary>
    public static void ValidateFinalizers(IEnumerable<string>? finalizers, string path, List<FieldError> errors)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var finalizer in finalizers ?? [])
        {
            var before = errors.Count;
            ValidateQualifiedName(finalizer, path, errors);
            if (errors.Count == before && !finalizer.Contains('/', StringComparison.Ordinal) && !StandardFinalizers.Contains(finalizer))
            {
                errors.Add(FieldError.Invalid(path, finalizer, "name is neither a standard finalizer name nor is it fully qualified"));
            }
            if (!seen.Add(finalizer))
            {
                errors.Add(FieldError.Duplicate(path, finalizer));
            }
        }
    }

    internal static IEnumerable<KeyValuePair<string, string>> Sorted(IDictionary<string, string>? map) =>
        map is null ? [] : map.OrderBy(p => p.Key, StringComparer.Ordinal);
}
