using System.Globalization;
using k8s.Models;

namespace Navarch.Controllers.Deployment;

/// <summary>Upstream's intstr.GetScaledValueFromIntOrPercent: an int as is, or "N%" of a total, rounded up or down.</summary>
public static class IntOrPercent
{
    /// <exception cref="FormatException">Neither an int nor a percentage.</exception>
    public static int Scaled(IntOrString? value, int total, bool roundUp, int fallback)
    {
        if (value?.Value is not { } text) return fallback;
        if (text.EndsWith('%'))
        {
            var percent = int.Parse(text[..^1], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            var exact = (double)percent * total / 100;
            return (int)(roundUp ? Math.Ceiling(exact) : Math.Floor(exact));
        }
        return int.Parse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
    }
}
