using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace Navarch.ApiServer.Http;

/// <summary>
/// Renders a <c>Status</c>. KubernetesClient's own converter for V1Status only reads (its Write throws
/// NotImplementedException), so the body is built here.
/// </summary>
public static class StatusJson
{
    public static string Serialize(V1Status status)
    {
        var obj = new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = status.Status,
        };
        if (status.Message is not null) obj["message"] = status.Message;
        if (status.Reason is not null) obj["reason"] = status.Reason;
        if (status.Details is not null) obj["details"] = JsonNode.Parse(KubernetesJson.Serialize(status.Details));
        if (status.Code is not null) obj["code"] = status.Code;
        return obj.ToJsonString(Responses.Plain);
    }
}
