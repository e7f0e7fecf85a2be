using System.Text.Json.Nodes;
using Navarch.Api.Discovery;

namespace Navarch.Api.Tests.Discovery;

[Trait("Category", "Unit")]
public class DiscoveryDocumentsTests
{
    private static JsonObject CoreEntry(string name) =>
        DiscoveryDocuments.CoreResources()["resources"]!.AsArray().Single(r => (string)r!["name"]! == name)!.AsObject();

    private static string[] Strings(JsonNode? node) => node is null ? [] : [.. node.AsArray().Select(n => (string)n!)];

    [Theory]
    [InlineData("pods", "pod", true, "Pod", "po", "all")]
    [InlineData("replicationcontrollers", "replicationcontroller", true, "ReplicationController", "rc", "all")]
    [InlineData("services", "service", true, "Service", "svc", "all")]
    [InlineData("endpoints", "endpoints", true, "Endpoints", "ep", "")]
    [InlineData("nodes", "node", false, "Node", "no", "")]
    [InlineData("namespaces", "namespace", false, "Namespace", "ns", "")]
    [InlineData("events", "event", true, "Event", "ev", "")]
    public void Core_resource_carries_short_names_categories_and_scope(
        string name, string singular, bool namespaced, string kind, string shortName, string category)
    {
        var entry = CoreEntry(name);
        Assert.Equal(singular, (string)entry["singularName"]!);
        Assert.Equal(namespaced, (bool)entry["namespaced"]!);
        Assert.Equal(kind, (string)entry["kind"]!);
        Assert.Equal([shortName], Strings(entry["shortNames"]));
        Assert.Equal(category.Length == 0 ? [] : [category], Strings(entry["categories"]));
        Assert.Contains("watch", Strings(entry["verbs"]));
        Assert.False(string.IsNullOrEmpty((string?)entry["storageVersionHash"]));
    }

    [Theory]
    [InlineData("pods/status", "Pod", null, "get patch update")]
    [InlineData("pods/binding", "Binding", null, "create")]
    [InlineData("pods/log", "Pod", null, "get")]
    [InlineData("pods/exec", "PodExecOptions", null, "create get")]
    [InlineData("pods/attach", "PodAttachOptions", null, "create get")]
    [InlineData("pods/portforward", "PodPortForwardOptions", null, "create get")]
    [InlineData("replicationcontrollers/status", "ReplicationController", null, "get patch update")]
    [InlineData("replicationcontrollers/scale", "Scale", "autoscaling", "get patch update")]
    [InlineData("services/status", "Service", null, "get patch update")]
    [InlineData("nodes/status", "Node", null, "get patch update")]
    [InlineData("namespaces/status", "Namespace", null, "get patch update")]
    [InlineData("namespaces/finalize", "Namespace", null, "update")]
    [InlineData("serviceaccounts/token", "TokenRequest", "authentication.k8s.io", "create")]
    public void Core_subresource_is_listed_like_upstream(string name, string kind, string? group, string verbs)
    {
        var entry = CoreEntry(name);
        Assert.Equal(kind, (string)entry["kind"]!);
        Assert.Equal("", (string)entry["singularName"]!);
        Assert.Equal(group, (string?)entry["group"]);
        Assert.Equal(group is null ? null : "v1", (string?)entry["version"]);
        Assert.Equal(verbs.Split(' '), Strings(entry["verbs"]));
        Assert.Null(entry["shortNames"]);
    }

    [Fact]
    public void Core_list_holds_exactly_the_core_resources_and_subresources()
    {
        var doc = DiscoveryDocuments.CoreResources();
        Assert.Equal("APIResourceList", (string)doc["kind"]!);
        Assert.Equal("v1", (string)doc["groupVersion"]!);
        Assert.Equal(23, doc["resources"]!.AsArray().Count); // 10 resources + 13 subresources
    }

    [Fact]
    public void Storage_version_hash_matches_upstream()
    {
        // The value a v1.32 API server reports for pods.
        Assert.Equal("xPOwRZ+Yhw8=", DiscoveryDocuments.StorageVersionHash("", "v1", "Pod"));
    }

    [Fact]
    public void Api_versions_name_v1_and_the_server_address()
    {
        var doc = DiscoveryDocuments.ApiVersions("10.0.0.1:6443");
        Assert.Equal("APIVersions", (string)doc["kind"]!);
        Assert.Equal(["v1"], Strings(doc["versions"]));
        Assert.Equal("10.0.0.1:6443", (string)doc["serverAddressByClientCIDRs"]![0]!["serverAddress"]!);
        Assert.Equal("0.0.0.0/0", (string)doc["serverAddressByClientCIDRs"]![0]!["clientCIDR"]!);
    }

    [Fact]
    public void Group_list_names_each_served_group_with_its_preferred_version()
    {
        var groups = DiscoveryDocuments.GroupList()["groups"]!.AsArray();
        Assert.Equal(["apps", "batch", "coordination.k8s.io", "discovery.k8s.io", "rbac.authorization.k8s.io", "certificates.k8s.io"], groups.Select(g => (string)g!["name"]!));
        foreach (var group in groups)
        {
            var gv = $"{group!["name"]}/v1";
            Assert.Equal(gv, (string)group["versions"]![0]!["groupVersion"]!);
            Assert.Equal(gv, (string)group["preferredVersion"]!["groupVersion"]!);
            Assert.Equal("v1", (string)group["preferredVersion"]!["version"]!);
        }
    }

    [Theory]
    [InlineData("coordination.k8s.io", "v1", "leases", "Lease")]
    [InlineData("discovery.k8s.io", "v1", "endpointslices", "EndpointSlice")]
    public void Group_resources_list_the_group_kinds(string group, string version, string plural, string kind)
    {
        var doc = DiscoveryDocuments.GroupResources(group, version)!;
        Assert.Equal("APIResourceList", (string)doc["kind"]!);
        Assert.Equal($"{group}/{version}", (string)doc["groupVersion"]!);
        var entry = Assert.Single(doc["resources"]!.AsArray())!;
        Assert.Equal(plural, (string)entry["name"]!);
        Assert.Equal(kind, (string)entry["kind"]!);
        Assert.True((bool)entry["namespaced"]!);

        var apiGroup = DiscoveryDocuments.Group(group)!;
        Assert.Equal("APIGroup", (string)apiGroup["kind"]!);
        Assert.Equal(group, (string)apiGroup["name"]!);
    }

    [Theory]
    [InlineData("policy", "v1")]
    [InlineData("coordination.k8s.io", "v2")]
    [InlineData("", "v1")]
    public void Unknown_group_version_is_null(string group, string version)
    {
        Assert.Null(DiscoveryDocuments.GroupResources(group, version));
        if (group != "coordination.k8s.io") Assert.Null(DiscoveryDocuments.Group(group));
    }

    [Fact]
    public void Version_reports_1_32_so_the_dispatcher_runs_an_openapi_v3_client()
    {
        var version = VersionInfo.Get();
        Assert.Equal("1", (string)version["major"]!);
        Assert.Equal("32", (string)version["minor"]!);
        Assert.Equal("v1.32.0", (string)version["gitVersion"]!);
    }
}
