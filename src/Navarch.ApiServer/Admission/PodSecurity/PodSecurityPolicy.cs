using System.Globalization;
using System.Text.RegularExpressions;

namespace Navarch.ApiServer.Admission.PodSecurity;

/// <summary>The Pod Security Standards' levels, least to most restrictive.</summary>
public enum PodSecurityLevel { Privileged, Baseline, Restricted }

/// <summary>A level at a policy version: <c>baseline:latest</c>, <c>restricted:v1.27</c>. <see cref="Minor"/> is null for latest.</summary>
public sealed record LevelVersion(PodSecurityLevel Level, int? Minor)
{
    public static LevelVersion PrivilegedLatest { get; } = new(PodSecurityLevel.Privileged, null);

    /// <summary>The minor version checks are evaluated at (latest: every check).</summary>
    public int EffectiveMinor => Minor ?? LatestMinor;

    /// <summary>What latest evaluates at: past every version a check names (checks end at <c>int.MaxValue</c>, exclusive).</summary>
    public const int LatestMinor = 1_000_000;

    public override string ToString() =>
        $"{Level.ToString().ToLowerInvariant()}:{(Minor is { } m ? $"v1.{m.ToString(CultureInfo.InvariantCulture)}" : "latest")}";
}

/// <summary>A namespace's three modes, read from its <c>pod-security.kubernetes.io/*</c> labels.</summary>
public sealed record PodSecurityPolicy(LevelVersion Enforce, LevelVersion Audit, LevelVersion Warn)
{
    public const string LabelPrefix = "pod-security.kubernetes.io/";

    /// <summary>Whether no mode asks for anything (the default of an unlabelled namespace).</summary>
    public bool AllPrivileged => Enforce.Level == PodSecurityLevel.Privileged && Audit.Level == PodSecurityLevel.Privileged && Warn.Level == PodSecurityLevel.Privileged;

    /// <summary>
    /// Upstream's <c>PolicyToEvaluate</c>: a missing level is privileged, a missing version latest. A label with a bad
    /// value is reported in <paramref name="errors"/> (upstream's field errors), and its mode is evaluated as
    /// restricted:latest, the safe choice.
    /// </summary>
    public static PodSecurityPolicy FromLabels(IDictionary<string, string>? labels, out IReadOnlyList<string> errors)
    {
        var problems = new List<string>();
        LevelVersion Mode(string mode)
        {
            string? levelText = null, versionText = null;
            labels?.TryGetValue(LabelPrefix + mode, out levelText);
            labels?.TryGetValue(LabelPrefix + mode + "-version", out versionText);
            var level = PodSecurityLevel.Privileged;
            var valid = true;
            if (levelText is not null && !TryParseLevel(levelText, out level))
            {
                problems.Add(Invalid(mode, levelText, "must be one of privileged, baseline, restricted"));
                valid = false;
            }
            int? minor = null;
            if (versionText is not null && !TryParseVersion(versionText, out minor))
            {
                problems.Add(Invalid(mode + "-version", versionText, "must be \"latest\" or of the form \"v1.x\""));
                valid = false;
            }
            return valid ? new LevelVersion(level, minor) : new LevelVersion(PodSecurityLevel.Restricted, null);
        }
        var policy = new PodSecurityPolicy(Mode("enforce"), Mode("audit"), Mode("warn"));
        errors = problems;
        return policy;
    }

    private static string Invalid(string label, string value, string why) =>
        $"metadata.labels[{LabelPrefix}{label}]: Invalid value: \"{value}\": {why}";

    private static bool TryParseLevel(string text, out PodSecurityLevel level)
    {
        level = text switch { "privileged" => PodSecurityLevel.Privileged, "baseline" => PodSecurityLevel.Baseline, "restricted" => PodSecurityLevel.Restricted, _ => (PodSecurityLevel)(-1) };
        return (int)level >= 0;
    }

    private static bool TryParseVersion(string text, out int? minor)
    {
        minor = null;
        if (text == "latest") return true;
        var m = Regex.Match(text, @"^v1\.(0|[1-9][0-9]{0,3})$");
        if (!m.Success) return false;
        minor = int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
        return true;
    }
}
