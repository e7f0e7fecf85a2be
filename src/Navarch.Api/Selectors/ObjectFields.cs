using System.Globalization;
using k8s;
using k8s.Models;
using Navarch.Api.Resources;

namespace Navarch.Api.Selectors;

/// <summary>
/// The fields each resource can be selected by (upstream's field label conversion functions and
/// *ToSelectableFields), and their values for an object.
/// </summary>
public static class ObjectFields
{
    private static readonly string[] DefaultFields = ["metadata.name", "metadata.namespace"];

    private static readonly Dictionary<string, string[]> FieldsByKind = new(StringComparer.Ordinal)
    {
        ["Pod"] =
        [
            "metadata.name", "metadata.namespace", "spec.nodeName", "spec.restartPolicy", "spec.schedulerName",
            "spec.serviceAccountName", "spec.hostNetwork", "status.phase", "status.podIP", "status.nominatedNodeName",
        ],
        ["Node"] = ["metadata.name", "spec.unschedulable"],
        ["ReplicationController"] = ["metadata.name", "metadata.namespace", "status.replicas"],
        ["Event"] =
        [
            "involvedObject.kind", "involvedObject.namespace", "involvedObject.name", "involvedObject.uid",
            "involvedObject.apiVersion", "involvedObject.resourceVersion", "involvedObject.fieldPath", "reason",
            "reportingComponent", "source", "type", "metadata.namespace", "metadata.name",
        ],
        ["Namespace"] = ["status.phase", "metadata.name"],
        ["Service"] = ["metadata.namespace", "metadata.name", "spec.clusterIP", "spec.type"],
    };

    /// <summary>The selectable fields of a resource.</summary>
    public static IReadOnlyList<string> Supported(ResourceType rt) =>
        rt.Group.Length == 0 && FieldsByKind.TryGetValue(rt.Kind, out var fields) ? fields : DefaultFields;

    /// <summary>Whether the resource can be selected by the field (pods also accept the legacy <c>spec.host</c>).</summary>
    public static bool IsSupported(ResourceType rt, string field) =>
        Supported(rt).Contains(Normalize(rt, field));

    /// <summary>Maps legacy names to current ones (<c>spec.host</c> → <c>spec.nodeName</c> for pods).</summary>
    public static string Normalize(ResourceType rt, string field) =>
        rt.Kind == "Pod" && rt.Group.Length == 0 && field == "spec.host" ? "spec.nodeName" : field;

    /// <summary>Upstream's error for a field a kind with its own conversion function does not support.</summary>
    public static string UnsupportedMessage(string field) => $"field label not supported: {field}";

    /// <summary>The right error text for the resource: kinds without their own list use the generic wording.</summary>
    public static string UnsupportedMessage(ResourceType rt, string field) =>
        rt.Group.Length == 0 && FieldsByKind.ContainsKey(rt.Kind)
            ? UnsupportedMessage(field)
            : $"\"{field}\" is not a known field selector: only \"metadata.name\", \"metadata.namespace\"";

    /// <summary>
    /// The value of a selectable field of the object, as upstream renders it (booleans "true"/"false",
    /// numbers in decimal, absent strings as ""); null when the field is not supported for the resource.
    /// </summary>
    public static string? GetValue(ResourceType rt, IKubernetesObject<V1ObjectMeta> obj, string field)
    {
        field = Normalize(rt, field);
        if (!Supported(rt).Contains(field))
        {
            return null;
        }
        switch (field)
        {
            case "metadata.name":
                return obj.Metadata?.Name ?? "";
            case "metadata.namespace":
                return obj.Metadata?.NamespaceProperty ?? "";
        }
        return obj switch
        {
            V1Pod pod => PodValue(pod, field),
            V1Node node => field == "spec.unschedulable" ? Bool(node.Spec?.Unschedulable) : null,
            V1ReplicationController rc => field == "status.replicas"
                ? (rc.Status?.Replicas ?? 0).ToString(CultureInfo.InvariantCulture)
                : null,
            Corev1Event ev => EventValue(ev, field),
            V1Namespace ns => field == "status.phase" ? ns.Status?.Phase ?? "" : null,
            V1Service svc => field switch
            {
                "spec.clusterIP" => svc.Spec?.ClusterIP ?? "",
                "spec.type" => svc.Spec?.Type ?? "",
                _ => null,
            },
            _ => null,
        };
    }

    private static string? PodValue(V1Pod pod, string field) => field switch
    {
        "spec.nodeName" => pod.Spec?.NodeName ?? "",
        "spec.restartPolicy" => pod.Spec?.RestartPolicy ?? "",
        "spec.schedulerName" => pod.Spec?.SchedulerName ?? "",
        "spec.serviceAccountName" => pod.Spec?.ServiceAccountName ?? "",
        "spec.hostNetwork" => Bool(pod.Spec?.HostNetwork),
        "status.phase" => pod.Status?.Phase ?? "",
        // Upstream takes the first of podIPs, not the legacy podIP field.
        "status.podIP" => pod.Status?.PodIPs?.FirstOrDefault()?.Ip ?? pod.Status?.PodIP ?? "",
        "status.nominatedNodeName" => pod.Status?.NominatedNodeName ?? "",
        _ => null,
    };

    private static string? EventValue(Corev1Event ev, string field)
    {
        var io = ev.InvolvedObject;
        return field switch
        {
            "involvedObject.kind" => io?.Kind ?? "",
            "involvedObject.namespace" => io?.NamespaceProperty ?? "",
            "involvedObject.name" => io?.Name ?? "",
            "involvedObject.uid" => io?.Uid ?? "",
            "involvedObject.apiVersion" => io?.ApiVersion ?? "",
            "involvedObject.resourceVersion" => io?.ResourceVersion ?? "",
            "involvedObject.fieldPath" => io?.FieldPath ?? "",
            "reason" => ev.Reason ?? "",
            "reportingComponent" => ev.ReportingComponent ?? "",
            "source" => string.IsNullOrEmpty(ev.Source?.Component) ? ev.ReportingComponent ?? "" : ev.Source.Component,
            "type" => ev.Type ?? "",
            _ => null,
        };
    }

    private static string Bool(bool? value) => value == true ? "true" : "false";
}
