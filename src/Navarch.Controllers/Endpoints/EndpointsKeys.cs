namespace Navarch.Controllers.Endpoints;

/// <summary>Labels and annotations the endpoint controllers write (upstream's core/v1 and discovery/v1 constants).</summary>
public static class EndpointsKeys
{
    /// <summary>The time of the last pod or Service change that this Endpoints object reflects (RFC 3339).</summary>
    public const string LastChangeTriggerTime = "endpoints.kubernetes.io/last-change-trigger-time";
    /// <summary>Set to <c>truncated</c> when more than <see cref="MaxCapacity"/> addresses had to be cut.</summary>
    public const string OverCapacity = "endpoints.kubernetes.io/over-capacity";
    /// <summary>Marks the Endpoints and slices of a headless Service (value empty).</summary>
    public const string HeadlessLabel = "service.kubernetes.io/headless";
    /// <summary>Upstream's cap on addresses in one Endpoints object.</summary>
    public const int MaxCapacity = 1000;
    /// <summary>The Service whose endpoints the API server itself maintains.</summary>
    public const string ApiServerServiceKey = "default/kubernetes";
}
