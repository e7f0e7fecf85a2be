using k8s.Models;

namespace Navarch.Api.Validation;

/// <summary>
/// Upstream's validation of the volumes whose files the node writes (configMap, secret, downwardAPI, projected): names
/// present, file paths relative and without <c>..</c> (no file may land outside its volume), modes within 0777,
/// token lifetimes of at least 10 minutes, no two projected files at one path.
/// </summary>
public static class VolumeSourceValidator
{
    private const string FileModeMessage = "must be a number between 0 and 0777 (octal), both inclusive";
    private static readonly string[] DownwardApiFields = ["metadata.annotations", "metadata.labels", "metadata.name", "metadata.namespace", "metadata.uid"];

    /// <summary>Adds the errors of <paramref name="volume"/>'s configMap, secret, downwardAPI or projected source (at <paramref name="path"/>).</summary>
    public static void Validate(V1Volume volume, string path, List<FieldError> errors)
    {
        if (volume.ConfigMap is { } cm)
        {
            if (string.IsNullOrEmpty(cm.Name)) errors.Add(FieldError.Required(path + ".configMap.name"));
            Mode(cm.DefaultMode, path + ".configMap.defaultMode", errors);
            KeysToPaths(cm.Items, path + ".configMap.items", null, errors);
        }
        if (volume.Secret is { } secret)
        {
            if (string.IsNullOrEmpty(secret.SecretName)) errors.Add(FieldError.Required(path + ".secret.secretName"));
            Mode(secret.DefaultMode, path + ".secret.defaultMode", errors);
            KeysToPaths(secret.Items, path + ".secret.items", null, errors);
        }
        if (volume.DownwardAPI is { } downward)
        {
            Mode(downward.DefaultMode, path + ".downwardAPI.defaultMode", errors);
            DownwardApiFiles(downward.Items, path + ".downwardAPI", null, errors);
        }
        if (volume.Projected is { } projected)
        {
            Mode(projected.DefaultMode, path + ".projected.defaultMode", errors);
            Projections(projected.Sources, path + ".projected.sources", errors);
        }
    }

    /// <summary>Upstream's ValidateLocalNonReservedPath: relative, no <c>..</c> element, not starting with <c>..</c>.</summary>
    public static void LocalNonReservedPath(string target, string field, List<FieldError> errors)
    {
        if (target.StartsWith('/')) errors.Add(FieldError.Invalid(field, target, "must be a relative path"));
        var backsteps = target.Split('/').Contains("..");
        if (backsteps) errors.Add(FieldError.Invalid(field, target, "must not contain '..'"));
        else if (target.StartsWith("..", StringComparison.Ordinal)) errors.Add(FieldError.Invalid(field, target, "must not start with '..'"));
    }

    private static void Projections(IList<V1VolumeProjection>? sources, string path, List<FieldError> errors)
    {
        var paths = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < (sources?.Count ?? 0); i++)
        {
            var source = sources![i];
            var at = $"{path}[{i}]";
            var kinds = new (object? Source, string Name)[] { (source.Secret, "secret"), (source.ConfigMap, "configMap"), (source.DownwardAPI, "downwardAPI"), (source.ServiceAccountToken, "serviceAccountToken"), (source.ClusterTrustBundle, "clusterTrustBundle") }
                .Where(k => k.Source is not null).ToList();
            if (source.Secret is { } secret)
            {
                if (string.IsNullOrEmpty(secret.Name)) errors.Add(FieldError.Required(at + ".secret.name"));
                KeysToPaths(secret.Items, at + ".secret.items", paths, errors);
            }
            if (source.ConfigMap is { } cm)
            {
                if (string.IsNullOrEmpty(cm.Name)) errors.Add(FieldError.Required(at + ".configMap.name"));
                KeysToPaths(cm.Items, at + ".configMap.items", paths, errors);
            }
            if (source.DownwardAPI is { } downward) DownwardApiFiles(downward.Items, at + ".downwardAPI", paths, errors);
            if (source.ServiceAccountToken is { } token)
            {
                var field = at + ".serviceAccountToken";
                if (token.ExpirationSeconds is < 600) errors.Add(FieldError.Invalid(field + ".expirationSeconds", token.ExpirationSeconds.Value, "may not specify a duration less than 10 minutes"));
                if (token.ExpirationSeconds is > 1L << 32) errors.Add(FieldError.Invalid(field + ".expirationSeconds", token.ExpirationSeconds.Value, "may not specify a duration larger than 2^32 seconds"));
                FilePath(token.Path, field + ".path", paths, errors);
            }
            if (kinds.Count > 1) errors.Add(FieldError.Forbidden(at, "may not specify more than 1 volume type per source"));
        }
    }

    private static void KeysToPaths(IList<V1KeyToPath>? items, string path, HashSet<string>? paths, List<FieldError> errors)
    {
        for (var i = 0; i < (items?.Count ?? 0); i++)
        {
            var item = items![i];
            var at = $"{path}[{i}]";
            if (string.IsNullOrEmpty(item.Key)) errors.Add(FieldError.Required(at + ".key"));
            FilePath(item.Path, at + ".path", paths, errors);
            Mode(item.Mode, at + ".mode", errors);
        }
    }

    private static void DownwardApiFiles(IList<V1DownwardAPIVolumeFile>? items, string path, HashSet<string>? paths, List<FieldError> errors)
    {
        for (var i = 0; i < (items?.Count ?? 0); i++)
        {
            var item = items![i];
            var at = $"{path}.items[{i}]";
            FilePath(item.Path, at + ".path", paths, errors);
            Mode(item.Mode, at + ".mode", errors);
            if (item.FieldRef is { } field)
            {
                if (item.ResourceFieldRef is not null) errors.Add(FieldError.Invalid(at, "resource", "fieldRef and resourceFieldRef can not be specified simultaneously"));
                if (!DownwardApiFields.Contains(field.FieldPath) && !IsSubscript(field.FieldPath))
                    errors.Add(FieldError.NotSupported(at + ".fieldRef.fieldPath", field.FieldPath, DownwardApiFields));
            }
            else if (item.ResourceFieldRef is { } resource)
            {
                if (string.IsNullOrEmpty(resource.ContainerName)) errors.Add(FieldError.Required(at + ".resourceFieldRef.containerName"));
            }
            else errors.Add(FieldError.Required(at, "one of fieldRef and resourceFieldRef is required"));
        }
    }

    // metadata.labels['key'] and metadata.annotations['key'].
    private static bool IsSubscript(string? fieldPath) =>
        fieldPath is not null && (fieldPath.StartsWith("metadata.labels['", StringComparison.Ordinal) || fieldPath.StartsWith("metadata.annotations['", StringComparison.Ordinal))
        && fieldPath.EndsWith("']", StringComparison.Ordinal);

    private static void FilePath(string? target, string field, HashSet<string>? paths, List<FieldError> errors)
    {
        if (string.IsNullOrEmpty(target))
        {
            errors.Add(FieldError.Required(field));
            return;
        }
        LocalNonReservedPath(target, field, errors);
        if (paths is not null && !paths.Add(target)) errors.Add(FieldError.Invalid(field, target, "conflicting duplicate paths"));
    }

    private static void Mode(int? mode, string field, List<FieldError> errors)
    {
        if (mode is < 0 or > 0b111_111_111) errors.Add(FieldError.Invalid(field, mode.Value, FileModeMessage));
    }
}
