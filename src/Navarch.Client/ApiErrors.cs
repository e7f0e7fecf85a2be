using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Navarch.Client;

/// <summary>Reads API errors the official client throws: status code, the Status message and its causes.</summary>
public static class ApiErrors
{
    public static bool IsNotFound(Exception e) => Code(e) == HttpStatusCode.NotFound;

    public static bool IsConflict(Exception e) => Code(e) == HttpStatusCode.Conflict;

    public static bool IsInvalid(Exception e) => Code(e) == HttpStatusCode.UnprocessableEntity;

    public static HttpStatusCode? Code(Exception e) => (e as HttpOperationException)?.Response?.StatusCode;

    /// <summary>The server's Status, when the error carries one.</summary>
    public static V1Status? Status(Exception e)
    {
        if (e is not HttpOperationException { Response.Content: { Length: > 0 } body }) return null;
        try { return KubernetesJson.Deserialize<V1Status>(body); }
        catch (System.Text.Json.JsonException) { return null; }
    }

    /// <summary>What upstream's err.Error() would print: the Status message, else the exception's.</summary>
    public static string Message(Exception e) => Status(e)?.Message is { Length: > 0 } m ? m : e.Message;

    /// <summary>True for "unable to create new content in namespace X because it is being terminated".</summary>
    public static bool IsNamespaceTerminating(Exception e) =>
        Code(e) == HttpStatusCode.Forbidden &&
        (Status(e)?.Details?.Causes?.Any(c => c.Reason == "NamespaceTerminating") == true || Message(e).Contains("because it is being terminated", StringComparison.Ordinal));
}
