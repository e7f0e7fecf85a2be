using k8s.Models;
using Navarch.Api.Validation;

namespace Navarch.Api.Kinds.Deployment;

/// <summary>Upstream's ValidateDeploymentStrategy and ValidateRollingUpdateDeployment.</summary>
public static class RollingUpdateRules
{
    public static void ValidateStrategy(V1DeploymentStrategy? strategy, List<FieldError> errors)
    {
        var type = strategy?.Type ?? "";
        switch (type)
        {
            case "Recreate":
                if (strategy!.RollingUpdate is not null)
                    errors.Add(FieldError.Forbidden("spec.strategy.rollingUpdate", "may not be specified when strategy `type` is 'Recreate'"));
                break;
            case "RollingUpdate":
                if (strategy!.RollingUpdate is { } rolling) ValidateRollingUpdate(rolling, errors);
                break;
            default:
                errors.Add(FieldError.NotSupported("spec.strategy.type", type, ["Recreate", "RollingUpdate"]));
                break;
        }
    }

    private static void ValidateRollingUpdate(V1RollingUpdateDeployment rolling, List<FieldError> errors)
    {
        var unavailable = Check(rolling.MaxUnavailable, "spec.strategy.rollingUpdate.maxUnavailable", errors);
        var surge = Check(rolling.MaxSurge, "spec.strategy.rollingUpdate.maxSurge", errors);
        if (unavailable == 0 && surge == 0)
            errors.Add(FieldError.Invalid("spec.strategy.rollingUpdate.maxUnavailable", rolling.MaxUnavailable?.Value, "may not be 0 when `maxSurge` is 0"));
        if (rolling.MaxUnavailable?.Value is { } percent && Percent(percent) > 100)
            errors.Add(FieldError.Invalid("spec.strategy.rollingUpdate.maxUnavailable", percent, "must not be greater than 100%"));
    }

    /// <summary>Upstream's ValidatePositiveIntOrPercent; returns the amount (a percentage counts as its number) or null.</summary>
    private static long? Check(IntOrString? value, string path, List<FieldError> errors)
    {
        var text = value?.Value;
        if (string.IsNullOrEmpty(text)) return null;
        if (long.TryParse(text, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var number))
        {
            WorkloadRules.NonNegative(number, path, errors);
            return number;
        }
        if (Percent(text) is { } percent) return percent;
        errors.Add(FieldError.Invalid(path, text, "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')"));
        return null;
    }

    private static long? Percent(string text) =>
        text.Length > 1 && text[^1] == '%' && text[..^1].All(char.IsAsciiDigit) && long.TryParse(text[..^1], out var n) ? n : null;
}
