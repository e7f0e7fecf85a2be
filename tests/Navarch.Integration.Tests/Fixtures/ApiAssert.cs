using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Navarch.Integration.Tests.Fixtures;

/// <summary>Assertions on the Status bodies the API answers errors with.</summary>
public static class ApiAssert
{
    /// <summary>Runs <paramref name="call"/>, expects it to fail with HTTP <paramref name="code"/>, returns the Status body.</summary>
    public static async Task<V1Status> FailsAsync(int code, Func<Task> call)
    {
        var e = await Assert.ThrowsAsync<HttpOperationException>(call);
        Assert.True((int)e.Response.StatusCode == code, $"expected HTTP {code}, got {(int)e.Response.StatusCode}: {e.Response.Content}");
        return ParseStatus(code, e.Response.Content);
    }

    /// <summary>Checks a raw response's code and Status body; returns the Status.</summary>
    public static async Task<V1Status> StatusAsync(int code, HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == code, $"expected HTTP {code}, got {(int)response.StatusCode}: {body}");
        return ParseStatus(code, body);
    }

    private static V1Status ParseStatus(int code, string body)
    {
        var status = KubernetesJson.Deserialize<V1Status>(body);
        Assert.Equal("Status", status.Kind);
        Assert.Equal("Failure", status.Status);
        Assert.Equal(code, status.Code);
        return status;
    }
}
