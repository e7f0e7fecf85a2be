using Microsoft.AspNetCore.Http;
using Navarch.ApiServer.Authentication;
using Navarch.ApiServer.Authorization;
using Navarch.ApiServer.Filters;

namespace Navarch.Integration.Tests.Security;

/// <summary>Upstream's RequestInfoFactory cases and the 403 wording built from them.</summary>
[Trait("Category", "Unit")]
public sealed class RequestAttributesTests
{
    private static readonly UserInfo Alice = new("alice", ["system:authenticated"]);

    [Theory]
    [InlineData("GET", "/api/v1/namespaces/default/pods", "", "list", "", "pods", "", "default", "")]
    [InlineData("GET", "/api/v1/namespaces/default/pods/x", "", "get", "", "pods", "", "default", "x")]
    [InlineData("GET", "/api/v1/namespaces/default/pods/x/log", "", "get", "", "pods", "log", "default", "x")]
    [InlineData("POST", "/api/v1/namespaces/default/pods/x/exec", "", "create", "", "pods", "exec", "default", "x")]
    [InlineData("GET", "/api/v1/pods", "?watch=true", "watch", "", "pods", "", "", "")]
    [InlineData("GET", "/api/v1/watch/namespaces/ns/pods", "", "watch", "", "pods", "", "ns", "")]
    [InlineData("DELETE", "/api/v1/namespaces/ns/pods", "", "deletecollection", "", "pods", "", "ns", "")]
    [InlineData("DELETE", "/api/v1/namespaces/ns/pods/p", "", "delete", "", "pods", "", "ns", "p")]
    [InlineData("PATCH", "/apis/apps/v1/namespaces/ns/deployments/d/scale", "", "patch", "apps", "deployments", "scale", "ns", "d")]
    [InlineData("PUT", "/api/v1/namespaces/ns", "", "update", "", "namespaces", "", "ns", "ns")]
    [InlineData("PUT", "/api/v1/namespaces/ns/finalize", "", "update", "", "namespaces", "finalize", "ns", "ns")]
    [InlineData("GET", "/api/v1/nodes", "?fieldSelector=metadata.name%3Dn1", "list", "", "nodes", "", "", "n1")]
    [InlineData("POST", "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings", "", "create", "rbac.authorization.k8s.io", "clusterrolebindings", "", "", "")]
    public void Resource_requests(string method, string path, string query, string verb, string group, string resource, string sub, string ns, string name)
    {
        var a = RequestAttributesParser.Parse(method, path, QueryOf(query), Alice);
        Assert.True(a.IsResourceRequest);
        Assert.Equal((verb, group, resource, sub, ns, name), (a.Verb, a.ApiGroup, a.Resource, a.Subresource, a.Namespace, a.Name));
    }

    [Theory]
    [InlineData("GET", "/api", "get")]
    [InlineData("GET", "/api/v1", "get")]
    [InlineData("GET", "/apis/apps/v1", "get")]
    [InlineData("GET", "/healthz", "get")]
    [InlineData("POST", "/metrics", "post")]
    public void Non_resource_requests(string method, string path, string verb)
    {
        var a = RequestAttributesParser.Parse(method, path, QueryOf(""), Alice);
        Assert.False(a.IsResourceRequest);
        Assert.Equal((verb, path), (a.Verb, a.Path));
    }

    [Theory]
    [InlineData("DELETE", "/api/v1/namespaces/default/pods/x",
        "pods \"x\" is forbidden: User \"alice\" cannot delete resource \"pods\" in API group \"\" in the namespace \"default\"")]
    [InlineData("GET", "/api/v1/namespaces/other/pods",
        "pods is forbidden: User \"alice\" cannot list resource \"pods\" in API group \"\" in the namespace \"other\"")]
    [InlineData("GET", "/api/v1/nodes/n1",
        "nodes \"n1\" is forbidden: User \"alice\" cannot get resource \"nodes\" in API group \"\" at the cluster scope")]
    [InlineData("GET", "/api/v1/namespaces/default/pods/x/log",
        "pods \"x\" is forbidden: User \"alice\" cannot get resource \"pods/log\" in API group \"\" in the namespace \"default\"")]
    [InlineData("POST", "/apis/rbac.authorization.k8s.io/v1/namespaces/a/rolebindings",
        "rolebindings.rbac.authorization.k8s.io is forbidden: User \"alice\" cannot create resource \"rolebindings\" in API group \"rbac.authorization.k8s.io\" in the namespace \"a\"")]
    [InlineData("GET", "/metrics", "forbidden: User \"alice\" cannot get path \"/metrics\"")]
    public void Forbidden_messages_read_as_upstream(string method, string path, string message)
    {
        var error = Forbidden.Error(RequestAttributesParser.Parse(method, path, QueryOf(""), Alice), "");
        Assert.Equal((403, "Forbidden", message), (error.Code, error.Reason, error.Message));
    }

    private static IQueryCollection QueryOf(string query) => new QueryCollection(Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(query));
}
