namespace Navarch.Api.Patching;

/// <summary>The keys and values of strategic-merge-patch directives (upstream's <c>$patch</c> family).</summary>
internal static class StrategicDirectives
{
    public const string Patch = "$patch";
    public const string Replace = "replace";
    public const string Delete = "delete";
    public const string Merge = "merge";
    public const string RetainKeys = "$retainKeys";
    public const string SetElementOrderPrefix = "$setElementOrder/";
    public const string DeleteFromPrimitiveListPrefix = "$deleteFromPrimitiveList/";

    public static bool IsDirectiveKey(string key) =>
        key == Patch || key == RetainKeys || key.StartsWith(SetElementOrderPrefix, StringComparison.Ordinal)
        || key.StartsWith(DeleteFromPrimitiveListPrefix, StringComparison.Ordinal);
}
