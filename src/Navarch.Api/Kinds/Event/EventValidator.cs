using k8s.Models;
using Navarch.Api.Validation;

namespace Navarch.Api.Kinds.Event;

/// <summary>
/// core/v1 Events get only upstream's legacy checks: a valid name and namespace, and the involved object's
/// namespace matching the event's ("" or "default" allowed when the object is cluster-scoped).
/// </summary>
public static class EventValidator
{
    public static void Validate(Corev1Event ev, List<FieldError> errors)
    {
        MetadataValidator.ValidateObjectMeta(ev.Metadata, namespaced: true, NameRules.DnsSubdomain, "metadata", errors);
        var eventNamespace = ev.Metadata?.NamespaceProperty ?? "";
        var involvedNamespace = ev.InvolvedObject?.NamespaceProperty ?? "";
        var mismatch = involvedNamespace.Length == 0
            ? eventNamespace is not ("" or "default")
            : eventNamespace != involvedNamespace;
        if (mismatch)
        {
            errors.Add(FieldError.Invalid("involvedObject.namespace", involvedNamespace, "does not match event.namespace"));
        }
    }
}
