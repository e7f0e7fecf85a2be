using k8s;
using k8s.Models;
using Navarch.Api.Resources;
using Navarch.ApiServer.Admission;
using Navarch.ApiServer.Authentication;
using Navarch.ApiServer.Registry;

namespace Navarch.ApiServer.Tests.Admission;

[Trait("Category", "Unit")]
public sealed class NodeRestrictionTests
{
    private static readonly UserInfo NodeA = new("system:node:a", ["system:nodes", UserInfo.AllAuthenticated]);

    [Fact]
    public async Task A_node_updates_only_itself()
    {
        await Allowed(Update(ResourceCatalog.Nodes, null, Node("a"), Node("a"), "status"));
        var e = await Refused(Update(ResourceCatalog.Nodes, null, Node("b"), Node("b"), "status"));
        Assert.Equal("nodes \"b\" is forbidden: node \"a\" is not allowed to modify node \"b\"", e.Message);
    }

    [Fact]
    public async Task A_node_writes_the_status_and_deletes_only_pods_bound_to_it()
    {
        await Allowed(Update(ResourceCatalog.Pods, "ns", Pod("mine", "a"), Pod("mine", "a"), "status"));
        var e = await Refused(Update(ResourceCatalog.Pods, "ns", Pod("theirs", "b"), Pod("theirs", "b"), "status"));
        Assert.Equal("pods \"theirs\" is forbidden: node \"a\" can only update pod status for pods with spec.nodeName set to itself", e.Message);
        var d = await Refused(new AdmissionAttributes(AdmissionOperation.Delete, ResourceCatalog.Pods, "ns", "theirs", null, Pod("theirs", "b"), Request(""), false));
        Assert.Equal("pods \"theirs\" is forbidden: node \"a\" can only delete pods with spec.nodeName set to itself", d.Message);
    }

    [Fact]
    public async Task A_node_creates_only_mirror_pods_and_only_its_own_lease()
    {
        var create = new AdmissionAttributes(AdmissionOperation.Create, ResourceCatalog.Pods, "ns", "p", Pod("p", "a"), null, Request(""), false);
        Assert.Contains("node \"a\" can only create mirror pods", (await Refused(create)).Message);
        var lease = new V1Lease { Metadata = new V1ObjectMeta { Name = "b", NamespaceProperty = "kube-node-lease" } };
        var leaseCreate = new AdmissionAttributes(AdmissionOperation.Create, ResourceCatalog.Leases, "kube-node-lease", "b", lease, null, Request(""), false);
        Assert.Equal("leases.coordination.k8s.io \"b\" is forbidden: can only access node lease with the same name as the requesting node", (await Refused(leaseCreate)).Message);
    }

    [Fact]
    public async Task Other_users_pass()
    {
        var a = new AdmissionAttributes(AdmissionOperation.Update, ResourceCatalog.Nodes, null, "b", Node("b"), Node("b"),
            new AdmissionRequest(new UserInfo("system:node:a", [UserInfo.AllAuthenticated]), "", _ => { }), false);
        await Allowed(a);
    }

    private static V1Node Node(string name) => new() { Metadata = new V1ObjectMeta { Name = name }, Spec = new V1NodeSpec() };

    private static V1Pod Pod(string name, string node) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "ns" },
        Spec = new V1PodSpec { NodeName = node, Containers = [new V1Container { Name = "c", Image = "x" }] },
    };

    private static AdmissionRequest Request(string subresource) => new(NodeA, subresource, _ => { });

    private static AdmissionAttributes Update(ResourceType rt, string? ns, IKubernetesObject<V1ObjectMeta> obj, IKubernetesObject<V1ObjectMeta> old, string subresource) =>
        new(AdmissionOperation.Update, rt, ns, obj.Metadata.Name, obj, old, Request(subresource), false);

    private static Task Allowed(AdmissionAttributes a) => new NodeRestriction().ValidateAsync(a, default);

    private static async Task<ApiException> Refused(AdmissionAttributes a)
    {
        var e = await Assert.ThrowsAsync<ApiException>(() => new NodeRestriction().ValidateAsync(a, default));
        Assert.Equal(403, e.Code);
        return e;
    }
}
