using System.Text;
using System.Text.Json;
using Navarch.ApiServer.Http;
using Navarch.ApiServer.Registry;

namespace Navarch.ApiServer.Handlers;

/// <summary>The opaque <c>continue</c> of a paged list: the revision of the first page and the last key returned.</summary>
public sealed record ContinueToken(long Revision, string StartAfter)
{
    public string Encode() =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new Wire { V = "meta.k8s.io/v1", RV = Revision, Start = StartAfter })))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static ContinueToken Decode(string token)
    {
        try
        {
            var b64 = token.Replace('-', '+').Replace('_', '/');
            b64 = b64.PadRight(b64.Length + (4 - b64.Length % 4) % 4, '=');
            var wire = JsonSerializer.Deserialize<Wire>(Convert.FromBase64String(b64));
            if (wire is null || wire.V != "meta.k8s.io/v1" || wire.Start is null) throw new FormatException();
            return new ContinueToken(wire.RV, wire.Start);
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            throw ApiException.BadRequest("continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)");
        }
    }

    private sealed class Wire
    {
        [System.Text.Json.Serialization.JsonPropertyName("v")] public string? V { get; set; }
        [System.Text.Json.Serialization.JsonPropertyName("rv")] public long RV { get; set; }
        [System.Text.Json.Serialization.JsonPropertyName("start")] public string? Start { get; set; }
    }
}
