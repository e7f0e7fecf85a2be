using System.Text.Json.Nodes;

namespace Navarch.Api.Discovery;

/// <summary>
/// GET /version. The reported minor decides which client the <c>/usr/bin/kubectl</c> dispatcher runs
/// (kubectl.1.&lt;minor&gt; for 27..33), so this claims v1.32: a client that reads OpenAPI v3.
/// </summary>
public static class VersionInfo
{
    public const string Major = "1";
    public const string Minor = "32";
    public const string GitVersion = "v1.32.0";

    /// <summary>A fresh <c>version.Info</c> body.</summary>
    public static JsonObject Get() => new()
    {
        ["major"] = Major,
        ["minor"] = Minor,
        ["gitVersion"] = GitVersion,
        ["gitCommit"] = "0000000000000000000000000000000000000000",
        ["gitTreeState"] = "clean",
        ["buildDate"] = "2025-01-01T00:00:00Z",
        ["goVersion"] = "go1.23.0",
        ["compiler"] = "gc",
        ["platform"] = "linux/amd64",
    };
}
