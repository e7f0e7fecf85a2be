using System.Text.Json.Nodes;
using Navarch.Api.Patching;

namespace Navarch.Api.Tests.Patching;

[Trait("Category", "Unit")]
public sealed class ManagedFieldsTests
{
    private static readonly DateTimeOffset T0 = new(2025, 1, 2, 3, 4, 5, TimeSpan.Zero);

    [Fact]
    public void CreateOwnsEverySetFieldWithUpstreamShape()
    {
        var pod = Json.Parse("""
            {'apiVersion':'v1','kind':'Pod','metadata':{'name':'p','namespace':'default','uid':'u','labels':{'app':'x'}},
             'spec':{'containers':[{'name':'c','image':'i'}]},'status':{'phase':'Pending'}}
            """).AsObject();
        var result = ManagedFields.RecordUpdate(null, pod, "kubectl-create", "Update", "v1", T0, null);
        var entry = Assert.Single(result["metadata"]!["managedFields"]!.AsArray())!;
        Assert.Equal("kubectl-create", entry["manager"]!.GetValue<string>());
        Assert.Equal("Update", entry["operation"]!.GetValue<string>());
        Assert.Null(entry["subresource"]);
        Json.Equal("""
            {'f:metadata':{'f:labels':{'.':{},'f:app':{}}},
             'f:spec':{'f:containers':{'k:{\'name\':\'c\'}':{'.':{},'f:image':{},'f:name':{}}}}}
            """.Replace("\\'", "\\\""), entry["fieldsV1"]);
        Assert.Null(pod["metadata"]!["managedFields"]); // input untouched
    }

    [Fact]
    public void UpdateTakesChangedFieldsFromOtherManagers()
    {
        var v1 = ManagedFields.RecordUpdate(null, Json.Parse("{'apiVersion':'v1','kind':'ReplicationController','metadata':{'name':'r'},'spec':{'replicas':1,'minReadySeconds':5}}").AsObject(),
            "creator", "Update", "v1", T0, null);
        var v2 = (JsonObject)v1.DeepClone();
        v2["spec"]!["replicas"] = 3;
        v2["spec"]!.AsObject().Remove("minReadySeconds");
        var result = ManagedFields.RecordUpdate(v1, v2, "scaler", "Update", "v1", T0.AddSeconds(1), "scale");

        var entries = result["metadata"]!["managedFields"]!.AsArray();
        Assert.Equal(["scaler"], entries.Select(e => e!["manager"]!.GetValue<string>()));
        Assert.Equal("scale", entries[0]!["subresource"]!.GetValue<string>());
        Json.Equal("{'f:spec':{'f:replicas':{}}}", entries[0]!["fieldsV1"]);
    }

    [Fact]
    public void EntriesAreSortedApplyFirstThenByTime()
    {
        var obj = Json.Parse("{'apiVersion':'v1','kind':'ConfigMap','metadata':{'name':'c'},'data':{'a':'1'}}").AsObject();
        var first = ManagedFields.RecordUpdate(null, obj, "z-updater", "Update", "v1", T0, null);
        var applied = new ServerSideApply().Apply(first, Json.Parse("{'apiVersion':'v1','kind':'ConfigMap','metadata':{'name':'c'},'data':{'b':'2'}}").AsObject(),
            "applier", false, typeof(k8s.Models.V1ConfigMap), T0.AddSeconds(5)).Object;
        var managers = applied["metadata"]!["managedFields"]!.AsArray().Select(e => e!["manager"]!.GetValue<string>());
        Assert.Equal(["applier", "z-updater"], managers);
        Assert.Equal("1", applied["data"]!["a"]!.GetValue<string>());
    }
}
