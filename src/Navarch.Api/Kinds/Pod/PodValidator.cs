using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Navarch.Api.Validation;

namespace Navarch.Api.Kinds.Pod;

/// <summary>Pods: create checks and upstream's rule that a pod's spec is immutable but for a few fields.</summary>
public static class PodValidator
{
    /// <summary>Upstream's wording of the spec-immutability error (without its trailing diff).</summary>
    public const string SpecUpdateForbidden =
        "pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,"
        + "`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),"
        + "`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)";

    public static void ValidateCreate(V1Pod pod, List<FieldError> errors)
    {
        MetadataValidator.ValidateObjectMeta(pod.Metadata, namespaced: true, NameRules.DnsSubdomain, "metadata", errors);
        PodSpecValidator.Validate(pod.Spec, "spec", errors);
    }

    public static void ValidateUpdate(V1Pod pod, V1Pod old, List<FieldError> errors)
    {
        var spec = pod.Spec ?? new V1PodSpec();
        var oldSpec = old.Spec ?? new V1PodSpec();
        if (oldSpec.ActiveDeadlineSeconds is { } oldDeadline)
        {
            if (spec.ActiveDeadlineSeconds is null)
            {
                errors.Add(FieldError.InvalidLiteral("spec.activeDeadlineSeconds", "null", "must not update from a positive integer to nil value"));
            }
            else if (spec.ActiveDeadlineSeconds > oldDeadline)
            {
                errors.Add(FieldError.Invalid("spec.activeDeadlineSeconds", spec.ActiveDeadlineSeconds.Value, "must be less than or equal to previous value"));
            }
        }
        if (!SameExceptMutable(spec, oldSpec))
        {
            errors.Add(FieldError.Forbidden("spec", SpecUpdateForbidden));
        }
    }

    // Compares the specs after copying the mutable fields from the old one into the new one (upstream's munging).
    private static bool SameExceptMutable(V1PodSpec spec, V1PodSpec oldSpec)
    {
        var mine = Normalize(JsonNode.Parse(KubernetesJson.Serialize(spec)))!.AsObject();
        var theirs = Normalize(JsonNode.Parse(KubernetesJson.Serialize(oldSpec)))!.AsObject();
        CopyImages(mine, theirs, "containers");
        CopyImages(mine, theirs, "initContainers");
        Copy(mine, theirs, "activeDeadlineSeconds");
        if (IsAdditionOnly(mine["tolerations"], theirs["tolerations"]))
        {
            Copy(mine, theirs, "tolerations");
        }
        if (oldSpec.TerminationGracePeriodSeconds < 0 && spec.TerminationGracePeriodSeconds == 1)
        {
            Copy(mine, theirs, "terminationGracePeriodSeconds");
        }
        return JsonNode.DeepEquals(mine, theirs);
    }

    private static void CopyImages(JsonObject mine, JsonObject theirs, string list)
    {
        if (mine[list] is JsonArray a && theirs[list] is JsonArray b && a.Count == b.Count)
        {
            for (var i = 0; i < a.Count; i++)
            {
                if (a[i] is JsonObject ca && b[i] is JsonObject cb && !string.IsNullOrEmpty(ca["image"]?.GetValue<string>()))
                {
                    ca["image"] = cb["image"]?.DeepClone();
                }
            }
        }
    }

    private static bool IsAdditionOnly(JsonNode? now, JsonNode? before)
    {
        var current = (now as JsonArray)?.ToList() ?? [];
        return ((before as JsonArray)?.ToList() ?? []).All(t => current.Any(c => JsonNode.DeepEquals(c, t)));
    }

    private static void Copy(JsonObject mine, JsonObject theirs, string name)
    {
        mine.Remove(name);
        if (theirs[name] is { } value)
        {
            mine[name] = value.DeepClone();
        }
    }

    // Upstream's semantic equality treats nil and empty lists and maps alike.
    private static JsonNode? Normalize(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, value) in obj.ToList())
                {
                    var normalized = Normalize(value);
                    if (normalized is null or JsonArray { Count: 0 })
                    {
                        obj.Remove(key);
                    }
                }
                return obj;
            case JsonArray array:
                foreach (var item in array)
                {
                    Normalize(item);
                }
                return array;
            default:
                return node;
        }
    }
}
