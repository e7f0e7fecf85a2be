namespace Navarch.Controllers.EndpointSlices;

/// <summary>Labels and limits of the EndpointSlices this controller manages (upstream's discovery/v1 constants).</summary>
public static class SliceKeys
{
    /// <summary>The Service a slice belongs to.</summary>
    public const string ServiceNameLabel = "kubernetes.io/service-name";
    /// <summary>Who manages a slice; the controller only ever touches slices carrying <see cref="ControllerName"/>.</summary>
    public const string ManagedByLabel = "endpointslice.kubernetes.io/managed-by";
    /// <summary>The value of <see cref="ManagedByLabel"/> on this controller's slices.</summary>
    public const string ControllerName = "endpointslice-controller.k8s.io";
    /// <summary>Upstream's default <c>--max-endpoints-per-slice</c>.</summary>
    public const int MaxEndpointsPerSlice = 100;
}
