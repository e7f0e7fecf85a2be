using System.Text;
using System.Text.Json;

namespace Navarch.Agent.Server;

/// <summary>
/// The <c>metav1.Status</c> a remote command ends with on channel 3 (v4/v5 protocols), in upstream's field order, e.g.
/// <c>{"metadata":{},"status":"Failure","message":"command terminated with non-zero exit code: error executing command [sh -c exit 3], exit code 3","reason":"NonZeroExitCode","details":{"causes":[{"reason":"ExitCode","message":"3"}]}}</c>.
/// </summary>
public static class ExecStatus
{
    /// <summary>The command exited 0.</summary>
    public static byte[] Success() => Encoding.UTF8.GetBytes("{\"metadata\":{},\"status\":\"Success\"}");

    /// <summary>The command ran and exited with <paramref name="exitCode"/> (not 0): kubectl exits with the same code.</summary>
    public static byte[] NonZeroExit(IReadOnlyList<string> command, int exitCode) => Write(
        $"command terminated with non-zero exit code: error executing command [{string.Join(' ', command)}], exit code {exitCode}",
        "NonZeroExitCode", causeReason: "ExitCode", causeMessage: exitCode.ToString(System.Globalization.CultureInfo.InvariantCulture), code: null);

    /// <summary>The request cannot be served as asked (e.g. a terminal or stdin).</summary>
    public static byte[] BadRequest(string message) => Write(message, "BadRequest", null, null, 400);

    /// <summary>The command could not run (container gone, runtime error): upstream's InternalError.</summary>
    public static byte[] InternalError(string message) =>
        Write($"Internal error occurred: {message}", "InternalError", causeReason: null, causeMessage: message, code: 500);

    private static byte[] Write(string message, string reason, string? causeReason, string? causeMessage, int? code)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartObject("metadata");
            json.WriteEndObject();
            json.WriteString("status", "Failure");
            json.WriteString("message", message);
            json.WriteString("reason", reason);
            if (causeMessage is not null)
            {
                json.WriteStartObject("details");
                json.WriteStartArray("causes");
                json.WriteStartObject();
                if (causeReason is not null) json.WriteString("reason", causeReason);
                json.WriteString("message", causeMessage);
                json.WriteEndObject();
                json.WriteEndArray();
                json.WriteEndObject();
            }
            if (code is not null) json.WriteNumber("code", code.Value);
            json.WriteEndObject();
        }
        return buffer.ToArray();
    }
}
