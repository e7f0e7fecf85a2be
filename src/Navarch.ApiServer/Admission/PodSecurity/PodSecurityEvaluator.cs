using k8s.Models;

namespace Navarch.ApiServer.Admission.PodSecurity;

/// <summary>The checks that failed for one pod at one level and version, in upstream's order.</summary>
public sealed record PodSecurityResult(IReadOnlyList<CheckViolation> Violations)
{
    public bool Allowed => Violations.Count == 0;

    /// <summary><c>hostPath volumes (volume "root"), privileged (container "c" must not …)</c>: what a refusal says.</summary>
    public string ForbiddenDetail => string.Join(", ", Violations.Select(v => v.Detail.Length == 0 ? v.Reason : $"{v.Reason} ({v.Detail})"));

    /// <summary>The reasons only, as the warnings about existing pods list them.</summary>
    public string ForbiddenReason => string.Join(", ", Violations.Select(v => v.Reason));
}

/// <summary>
/// Evaluates a pod (or a template's pod) against a level, as upstream's check registry: the baseline checks that no
/// restricted check replaces, then either the overlapping baseline ones (baseline) or the restricted ones (restricted).
/// </summary>
public static class PodSecurityEvaluator
{
    public static PodSecurityResult Evaluate(LevelVersion lv, V1ObjectMeta? meta, V1PodSpec spec)
    {
        if (lv.Level == PodSecurityLevel.Privileged) return new PodSecurityResult([]);
        meta ??= new V1ObjectMeta();
        var minor = lv.EffectiveMinor;
        var checks = BaselineChecks.All.Where(c => !c.Overlap)
            .Concat(lv.Level == PodSecurityLevel.Baseline ? BaselineChecks.All.Where(c => c.Overlap) : RestrictedChecks.All);
        var violations = new List<CheckViolation>();
        foreach (var check in checks)
            if (check.AppliesAt(minor) && check.Run(meta, spec, minor) is { } violation) violations.Add(violation);
        return new PodSecurityResult(violations);
    }
}
