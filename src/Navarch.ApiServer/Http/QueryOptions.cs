using Microsoft.AspNetCore.Http;
using Navarch.ApiServer.Registry;

namespace Navarch.ApiServer.Http;

/// <summary>The query parameters of the Kubernetes API, parsed with the errors upstream gives for bad values.</summary>
public sealed class QueryOptions
{
    public bool Watch { get; init; }
    public string? ResourceVersion { get; init; }
    public string? ResourceVersionMatch { get; init; }
    public string? LabelSelector { get; init; }
    public string? FieldSelector { get; init; }
    public int Limit { get; init; }
    public string? Continue { get; init; }
    public int? TimeoutSeconds { get; init; }
    public bool AllowWatchBookmarks { get; init; }
    public bool? SendInitialEvents { get; init; }
    public bool DryRun { get; init; }
    public string? FieldManager { get; init; }
    /// <summary>Ignore, Warn or Strict (the default when absent is Warn for POST/PUT/PATCH, as upstream).</summary>
    public string FieldValidation { get; init; } = "Warn";
    public bool Force { get; init; }
    public long? GracePeriodSeconds { get; init; }
    public string? PropagationPolicy { get; init; }
    public bool? OrphanDependents { get; init; }
    public string? IncludeObject { get; init; }

    public static QueryOptions Parse(IQueryCollection q, bool legacyWatch)
    {
        var validation = q["fieldValidation"].ToString();
        if (validation.Length > 0 && validation is not ("Ignore" or "Warn" or "Strict"))
            throw ApiException.BadRequest($"fieldValidation parameter unsupported: {validation}. Use one of Ignore, Warn, Strict");
        var dryRun = q["dryRun"].ToString();
        if (dryRun.Length > 0 && dryRun != "All")
            throw ApiException.BadRequest($"Invalid dryRun value: {dryRun}, valid values are: All");
        return new QueryOptions
        {
            Watch = legacyWatch || Bool(q, "watch") == true,
            ResourceVersion = Str(q, "resourceVersion"),
            ResourceVersionMatch = Str(q, "resourceVersionMatch"),
            LabelSelector = Str(q, "labelSelector"),
            FieldSelector = Str(q, "fieldSelector"),
            Limit = (int)Math.Clamp(Long(q, "limit") ?? 0, 0, int.MaxValue),
            Continue = Str(q, "continue"),
            TimeoutSeconds = Long(q, "timeoutSeconds") is { } seconds ? (int)Math.Clamp(seconds, int.MinValue, int.MaxValue) : null,
            AllowWatchBookmarks = Bool(q, "allowWatchBookmarks") == true,
            SendInitialEvents = Bool(q, "sendInitialEvents"),
            DryRun = dryRun == "All",
            FieldManager = Str(q, "fieldManager"),
            FieldValidation = validation.Length > 0 ? validation : "Warn",
            Force = Bool(q, "force") == true,
            GracePeriodSeconds = Long(q, "gracePeriodSeconds"),
            PropagationPolicy = Str(q, "propagationPolicy"),
            OrphanDependents = Bool(q, "orphanDependents"),
            IncludeObject = Str(q, "includeObject"),
        };
    }

    private static string? Str(IQueryCollection q, string name)
    {
        var v = q[name].ToString();
        return v.Length == 0 ? null : v;
    }

    private static bool? Bool(IQueryCollection q, string name)
    {
        var v = Str(q, name);
        if (v is null) return null;
        return v switch
        {
            "true" or "1" or "True" or "TRUE" or "t" or "T" => true,
            "false" or "0" or "False" or "FALSE" or "f" or "F" => false,
            _ => throw ApiException.BadRequest($"invalid value \"{v}\" for boolean parameter {name}"),
        };
    }

    private static long? Long(IQueryCollection q, string name)
    {
        var v = Str(q, name);
        if (v is null) return null;
        return long.TryParse(v, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var n)
            ? n
            : throw ApiException.BadRequest($"invalid value \"{v}\" for integer parameter {name}");
    }
}
