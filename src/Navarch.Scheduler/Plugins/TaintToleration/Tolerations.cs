using k8s.Models;

namespace Navarch.Scheduler.Plugins.TaintToleration;

/// <summary>Upstream's toleration matching (v1.Toleration.ToleratesTaint).</summary>
public static class Tolerations
{
    /// <summary>
    /// An empty effect matches every effect; an empty key with operator Exists matches every taint; Exists
    /// ignores the value; Equal (or no operator) needs the same value.
    /// </summary>
    public static bool Tolerates(V1Toleration toleration, V1Taint taint)
    {
        if (!string.IsNullOrEmpty(toleration.Effect) && toleration.Effect != taint.Effect) return false;
        if (!string.IsNullOrEmpty(toleration.Key) && toleration.Key != taint.Key) return false;
        return toleration.OperatorProperty switch
        {
            "Exists" => true,
            "Equal" or "" or null => (toleration.Value ?? "") == (taint.Value ?? ""),
            _ => false,
        };
    }

    /// <summary>Whether any of the tolerations tolerates the taint.</summary>
    public static bool AnyTolerates(IList<V1Toleration>? tolerations, V1Taint taint)
    {
        if (tolerations is null) return false;
        foreach (var t in tolerations)
            if (Tolerates(t, taint)) return true;
        return false;
    }
}
