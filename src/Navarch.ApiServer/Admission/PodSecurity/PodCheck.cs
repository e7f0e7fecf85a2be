using k8s.Models;

namespace Navarch.ApiServer.Admission.PodSecurity;

/// <summary>Why a check refused a pod: upstream's ForbiddenReason ("hostPath volumes") and ForbiddenDetail (<c>volume "root"</c>, may be empty).</summary>
public sealed record CheckViolation(string Reason, string Detail);

/// <summary>
/// One check of the Pod Security Standards, as upstream registers it: an ID, its level, whether a restricted check
/// replaces it at the restricted level (<see cref="Overlap"/>), and the policy versions it applies to.
/// </summary>
/// <param name="Run">Null when the pod passes; gets the minor version evaluated (checks whose allowed values grew).</param>
public sealed record PodCheck(string Id, PodSecurityLevel Level, bool Overlap, int MinMinor, int MaxMinorExclusive,
    Func<V1ObjectMeta, V1PodSpec, int, CheckViolation?> Run)
{
    public bool AppliesAt(int minor) => minor >= MinMinor && minor < MaxMinorExclusive;
}

/// <summary>A container of any kind (init, regular, ephemeral) as the checks see it.</summary>
public sealed record ContainerView(string Name, V1SecurityContext? SecurityContext, IList<V1ContainerPort>? Ports);

/// <summary>Upstream's message helpers: <c>pluralize</c>, <c>joinQuote</c>, and the container visitor.</summary>
public static class CheckText
{
    public static string Plural(string one, string many, int count) => count == 1 ? one : many;

    /// <summary><c>"a", "b"</c>.</summary>
    public static string JoinQuote(IEnumerable<string> values) => string.Join(", ", values.Select(Quote));

    public static string Quote(string value) => "\"" + value.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";

    /// <summary><c>container "a"</c> or <c>containers "a", "b"</c>.</summary>
    public static string Containers(IReadOnlyCollection<string> names) => $"{Plural("container", "containers", names.Count)} {JoinQuote(names)}";

    /// <summary>Init containers, containers, then ephemeral containers, as upstream's visitor walks them.</summary>
    public static IEnumerable<ContainerView> Visit(V1PodSpec spec)
    {
        foreach (var c in spec.InitContainers ?? []) yield return new ContainerView(c.Name, c.SecurityContext, c.Ports);
        foreach (var c in spec.Containers ?? []) yield return new ContainerView(c.Name, c.SecurityContext, c.Ports);
        foreach (var c in spec.EphemeralContainers ?? []) yield return new ContainerView(c.Name, c.SecurityContext, c.Ports);
    }

    /// <summary>"pod", "container \"a\"", or "pod and containers \"a\", \"b\"": who set a forbidden value.</summary>
    public static string Setters(bool pod, IReadOnlyCollection<string> containers)
    {
        var parts = new List<string>();
        if (pod) parts.Add("pod");
        if (containers.Count > 0) parts.Add(Containers(containers));
        return string.Join(" and ", parts);
    }
}
