using System.Text.Json.Nodes;
using k8s.Models;
using Navarch.Api.Patching;

namespace Navarch.Api.Tests.Patching;

[Trait("Category", "Unit")]
public sealed class ServerSideApplyTests
{
    private static readonly DateTimeOffset T0 = new(2025, 1, 2, 3, 4, 5, TimeSpan.Zero);
    private readonly ServerSideApply _apply = new();

    private static JsonObject Rc(int replicas, string image) => Json.Parse("""
        {'apiVersion':'v1','kind':'ReplicationController','metadata':{'name':'nginx','namespace':'default','labels':{'app':'nginx'}},
         'spec':{'replicas':REPLICAS,'selector':{'app':'nginx'},'template':{'metadata':{'labels':{'app':'nginx'}},
           'spec':{'containers':[{'name':'nginx','image':'IMAGE','ports':[{'containerPort':80}]}]}}}}
        """.Replace("REPLICAS", replicas.ToString(System.Globalization.CultureInfo.InvariantCulture)).Replace("IMAGE", image)).AsObject();

    private static JsonObject? Entry(JsonObject obj, string manager) =>
        obj["metadata"]!["managedFields"]!.AsArray().OfType<JsonObject>().SingleOrDefault(e => e["manager"]!.GetValue<string>() == manager);

    [Fact]
    public void CreateRecordsOwnershipInFieldsV1()
    {
        var result = _apply.Apply(null, Rc(2, "nginx"), "kubectl", force: false, typeof(V1ReplicationController), T0);

        Assert.True(result.Created);
        var entry = Entry(result.Object, "kubectl")!;
        Assert.Equal("Apply", entry["operation"]!.GetValue<string>());
        Assert.Equal("v1", entry["apiVersion"]!.GetValue<string>());
        Assert.Equal("2025-01-02T03:04:05Z", entry["time"]!.GetValue<string>());
        Assert.Equal("FieldsV1", entry["fieldsType"]!.GetValue<string>());
        Json.Equal("""
            {'f:metadata':{'f:labels':{'f:app':{}}},
             'f:spec':{'f:replicas':{},'f:selector':{},'f:template':{'f:metadata':{'f:labels':{'f:app':{}}},
               'f:spec':{'f:containers':{'k:{\'name\':\'nginx\'}':{'.':{},'f:image':{},'f:name':{},
                 'f:ports':{'k:{\'containerPort\':80,\'protocol\':\'TCP\'}':{'.':{},'f:containerPort':{}}}}}}}}}
            """.Replace("\\'", "\\\""), entry["fieldsV1"]);
        Assert.Equal(2, result.Object["spec"]!["replicas"]!.GetValue<int>());
    }

    [Fact]
    public void ReapplyChangesValuesAndPrunesFieldsNoLongerApplied()
    {
        var live = _apply.Apply(null, Rc(2, "nginx"), "kubectl", false, typeof(V1ReplicationController), T0).Object;
        var next = Rc(3, "nginx:1.27");
        next["metadata"]!.AsObject().Remove("labels");

        var result = _apply.Apply(live, next, "kubectl", false, typeof(V1ReplicationController), T0.AddMinutes(1));

        Assert.False(result.Created);
        Assert.Equal(3, result.Object["spec"]!["replicas"]!.GetValue<int>());
        Assert.Equal("nginx:1.27", result.Object["spec"]!["template"]!["spec"]!["containers"]![0]!["image"]!.GetValue<string>());
        Assert.Null(result.Object["metadata"]!["labels"]?["app"]);
        Assert.Null(Entry(result.Object, "kubectl")!["fieldsV1"]!["f:metadata"]);
    }

    [Fact]
    public void UnchangedReapplyReportsNoChange()
    {
        var live = _apply.Apply(null, Rc(2, "nginx"), "kubectl", false, typeof(V1ReplicationController), T0).Object;
        var result = _apply.Apply(live, Rc(2, "nginx"), "kubectl", false, typeof(V1ReplicationController), T0.AddMinutes(1));
        Assert.False(result.Changed);
    }

    [Fact]
    public void ConflictWithAnotherManagerThenForce()
    {
        // kubectl create (an Update by kubectl-client-side-apply), then kubectl scale, then apply --server-side.
        var created = ManagedFields.RecordUpdate(null, Rc(2, "nginx"), "kubectl-client-side-apply", "Update", "v1", T0, null);
        var scaled = Rc(3, "nginx");
        scaled["metadata"]!["managedFields"] = created["metadata"]!["managedFields"]!.DeepClone();
        scaled = ManagedFields.RecordUpdate(created, scaled, "kubectl", "Update", "v1", T0.AddMinutes(1), "scale");

        var error = Assert.Throws<PatchException>(() =>
            _apply.Apply(scaled, Rc(5, "nginx"), "kubectl-ss", false, typeof(V1ReplicationController), T0.AddMinutes(2)));
        Assert.Equal(PatchErrorKind.Conflict, error.Kind);
        Assert.Equal("Apply failed with 1 conflict: conflict with \"kubectl\" with subresource \"scale\" using v1: .spec.replicas", error.Message);
        Assert.Equal(new ApplyConflict(".spec.replicas", "conflict with \"kubectl\" with subresource \"scale\" using v1"), Assert.Single(error.Conflicts));

        var forced = _apply.Apply(scaled, Rc(5, "nginx"), "kubectl-ss", true, typeof(V1ReplicationController), T0.AddMinutes(2)).Object;
        Assert.Equal(5, forced["spec"]!["replicas"]!.GetValue<int>());
        Assert.Null(Entry(forced, "kubectl")); // its only field moved to the applier
        Assert.NotNull(Entry(forced, "kubectl-ss")!["fieldsV1"]!["f:spec"]!["f:replicas"]);
        Assert.Null(Entry(forced, "kubectl-client-side-apply")!["fieldsV1"]!["f:spec"]!["f:replicas"]);
    }

    [Fact]
    public void SameValueIsNotAConflictAndSharesOwnership()
    {
        var created = ManagedFields.RecordUpdate(null, Rc(2, "nginx"), "kubectl-client-side-apply", "Update", "v1", T0, null);
        var result = _apply.Apply(created, Rc(2, "nginx"), "kubectl", false, typeof(V1ReplicationController), T0);
        Assert.NotNull(Entry(result.Object, "kubectl-client-side-apply")!["fieldsV1"]!["f:spec"]!["f:replicas"]);
        Assert.NotNull(Entry(result.Object, "kubectl")!["fieldsV1"]!["f:spec"]!["f:replicas"]);
    }

    [Fact]
    public void SeveralConflictsAreListedPerManager()
    {
        var created = ManagedFields.RecordUpdate(null, Rc(2, "nginx"), "kubectl-client-side-apply", "Update", "v1", T0, null);
        var error = Assert.Throws<PatchException>(() =>
            _apply.Apply(created, Rc(4, "httpd"), "kubectl", false, typeof(V1ReplicationController), T0));
        Assert.Equal("""
            Apply failed with 2 conflicts: conflicts with "kubectl-client-side-apply" using v1:
            - .spec.replicas
            - .spec.template.spec.containers[name="nginx"].image
            """.ReplaceLineEndings("\n"), error.Message);
    }

    [Fact]
    public void PrunedFieldStaysWhenAnotherManagerOwnsIt()
    {
        var live = _apply.Apply(null, Rc(2, "nginx"), "a", false, typeof(V1ReplicationController), T0).Object;
        live = _apply.Apply(live, Rc(2, "nginx"), "b", false, typeof(V1ReplicationController), T0).Object;
        var without = Rc(2, "nginx");
        without["metadata"]!.AsObject().Remove("labels");
        var result = _apply.Apply(live, without, "a", false, typeof(V1ReplicationController), T0).Object;
        Assert.Equal("nginx", result["metadata"]!["labels"]!["app"]!.GetValue<string>());
    }

    [Fact]
    public void RejectsManagedFieldsInTheConfiguration()
    {
        var config = Rc(1, "x");
        config["metadata"]!["managedFields"] = new JsonArray();
        var error = Assert.Throws<PatchException>(() => _apply.Apply(null, config, "m", false, typeof(V1ReplicationController), T0));
        Assert.Equal(PatchErrorKind.BadRequest, error.Kind);
    }
}
