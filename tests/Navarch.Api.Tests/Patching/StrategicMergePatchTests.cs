using k8s.Models;
using Navarch.Api.Patching;

namespace Navarch.Api.Tests.Patching;

[Trait("Category", "Unit")]
public sealed class StrategicMergePatchTests
{
    private const string Rc = """
        {'apiVersion':'v1','kind':'ReplicationController','metadata':{'name':'nginx-controller','labels':{'name':'nginx'}},
         'spec':{'replicas':2,'selector':{'name':'nginx'},'template':{'metadata':{'labels':{'name':'nginx'}},
           'spec':{'containers':[{'name':'nginx','image':'nginx','ports':[{'containerPort':80}]}]}}}}
        """;

    [Fact]
    public void KubectlClientSideApplyBody_MergesContainerByName()
    {
        // The body kubectl 1.32 sends (kubectl-wire.md §7.8), annotation shortened.
        var patch = """
            {'metadata':{'annotations':{'kubectl.kubernetes.io/last-applied-configuration':'{}'}},
             'spec':{'replicas':3,'template':{'spec':{'$setElementOrder/containers':[{'name':'nginx'}],
                                                       'containers':[{'image':'nginx:1.27','name':'nginx'}]}}}}
            """;
        var result = StrategicMergePatch.Apply(Json.Parse(Rc), Json.Parse(patch), typeof(V1ReplicationController));
        Json.Equal("""
            {'apiVersion':'v1','kind':'ReplicationController','metadata':{'name':'nginx-controller','labels':{'name':'nginx'},
              'annotations':{'kubectl.kubernetes.io/last-applied-configuration':'{}'}},
             'spec':{'replicas':3,'selector':{'name':'nginx'},'template':{'metadata':{'labels':{'name':'nginx'}},
               'spec':{'containers':[{'name':'nginx','image':'nginx:1.27','ports':[{'containerPort':80}]}]}}}}
            """, result);
    }

    public static TheoryData<string, string, string, string> PodCases => new()
    {
        {
            "new container is appended, existing merged by name",
            "{'spec':{'containers':[{'name':'a','image':'x'}]}}",
            "{'spec':{'containers':[{'name':'b','image':'y'},{'name':'a','image':'x2'}]}}",
            "{'spec':{'containers':[{'name':'b','image':'y'},{'name':'a','image':'x2'}]}}"
        },
        {
            "$patch delete removes a container by key",
            "{'spec':{'containers':[{'name':'a','image':'x'},{'name':'b','image':'y'}]}}",
            "{'spec':{'containers':[{'name':'a','$patch':'delete'}]}}",
            "{'spec':{'containers':[{'name':'b','image':'y'}]}}"
        },
        {
            "$patch replace in a list replaces the whole list",
            "{'spec':{'containers':[{'name':'a','image':'x'},{'name':'b','image':'y'}]}}",
            "{'spec':{'containers':[{'name':'c','image':'z'},{'$patch':'replace'}]}}",
            "{'spec':{'containers':[{'name':'c','image':'z'}]}}"
        },
        {
            "$patch replace in a map replaces the map",
            "{'metadata':{'labels':{'a':'1','b':'2'}}}",
            "{'metadata':{'labels':{'c':'3','$patch':'replace'}}}",
            "{'metadata':{'labels':{'c':'3'}}}"
        },
        {
            "$patch delete in a map empties it",
            "{'metadata':{'labels':{'a':'1'}},'spec':{}}",
            "{'metadata':{'labels':{'$patch':'delete'}}}",
            "{'metadata':{'labels':{}},'spec':{}}"
        },
        {
            "null deletes a key",
            "{'metadata':{'labels':{'a':'1','b':'2'}},'spec':{'nodeName':'n1'}}",
            "{'metadata':{'labels':{'a':null}},'spec':{'nodeName':null}}",
            "{'metadata':{'labels':{'b':'2'}},'spec':{}}"
        },
        {
            "env merges by name, ports by containerPort",
            "{'spec':{'containers':[{'name':'a','env':[{'name':'X','value':'1'}],'ports':[{'containerPort':80,'name':'http'}]}]}}",
            "{'spec':{'containers':[{'name':'a','env':[{'name':'Y','value':'2'}],'ports':[{'containerPort':80,'protocol':'TCP'}]}]}}",
            "{'spec':{'containers':[{'name':'a','env':[{'name':'X','value':'1'},{'name':'Y','value':'2'}],'ports':[{'containerPort':80,'name':'http','protocol':'TCP'}]}]}}"
        },
        {
            "lists without a strategy are replaced (args, tolerations)",
            "{'spec':{'tolerations':[{'key':'a'}],'containers':[{'name':'a','args':['1','2']}]}}",
            "{'spec':{'tolerations':[{'key':'b'}],'containers':[{'name':'a','args':['3']}]}}",
            "{'spec':{'tolerations':[{'key':'b'}],'containers':[{'name':'a','args':['3']}]}}"
        },
        {
            "finalizers are unioned",
            "{'metadata':{'finalizers':['a','b']}}",
            "{'metadata':{'finalizers':['c','a']}}",
            "{'metadata':{'finalizers':['b','c','a']}}"
        },
        {
            "$deleteFromPrimitiveList removes finalizers",
            "{'metadata':{'finalizers':['a','b','c']}}",
            "{'metadata':{'$deleteFromPrimitiveList/finalizers':['b']}}",
            "{'metadata':{'finalizers':['a','c']}}"
        },
        {
            "$setElementOrder reorders containers",
            "{'spec':{'containers':[{'name':'a','image':'x'},{'name':'b','image':'y'}]}}",
            "{'spec':{'$setElementOrder/containers':[{'name':'b'},{'name':'a'}]}}",
            "{'spec':{'containers':[{'name':'b','image':'y'},{'name':'a','image':'x'}]}}"
        },
        {
            "$setElementOrder keeps server-only items",
            "{'spec':{'containers':[{'name':'a'},{'name':'s'},{'name':'b'}]}}",
            "{'spec':{'$setElementOrder/containers':[{'name':'b'},{'name':'a'}],'containers':[{'name':'b','image':'y'}]}}",
            "{'spec':{'containers':[{'name':'s'},{'name':'b','image':'y'},{'name':'a'}]}}"
        },
        {
            "$retainKeys clears keys not listed (volume source switch)",
            "{'spec':{'volumes':[{'name':'v','emptyDir':{}}]}}",
            "{'spec':{'volumes':[{'name':'v','hostPath':{'path':'/tmp'},'$retainKeys':['hostPath','name']}]}}",
            "{'spec':{'volumes':[{'name':'v','hostPath':{'path':'/tmp'}}]}}"
        },
        {
            "ownerReferences merge by uid",
            "{'metadata':{'ownerReferences':[{'uid':'1','name':'a'}]}}",
            "{'metadata':{'ownerReferences':[{'uid':'2','name':'b'}]}}",
            "{'metadata':{'ownerReferences':[{'uid':'1','name':'a'},{'uid':'2','name':'b'}]}}"
        },
        {
            "status conditions merge by type",
            "{'status':{'conditions':[{'type':'Ready','status':'False'},{'type':'PodScheduled','status':'True'}]}}",
            "{'status':{'conditions':[{'type':'Ready','status':'True'}]}}",
            "{'status':{'conditions':[{'type':'Ready','status':'True'},{'type':'PodScheduled','status':'True'}]}}"
        },
        {
            "directives in a new key are stripped",
            "{'spec':{}}",
            "{'spec':{'containers':[{'name':'a','image':'x','args':null}]}}",
            "{'spec':{'containers':[{'name':'a','image':'x'}]}}"
        },
    };

    [Theory]
    [MemberData(nameof(PodCases))]
    public void Pod(string name, string live, string patch, string expected)
    {
        _ = name;
        var doc = Json.Parse(live);
        var before = doc.ToJsonString();
        Json.Equal(expected, StrategicMergePatch.Apply(doc, Json.Parse(patch), typeof(V1Pod)));
        Assert.Equal(before, doc.ToJsonString());
    }

    [Fact]
    public void NodeStatusAddressesMergeByType()
    {
        var result = StrategicMergePatch.Apply(
            Json.Parse("{'status':{'addresses':[{'type':'InternalIP','address':'1.1.1.1'},{'type':'Hostname','address':'n'}]}}"),
            Json.Parse("{'status':{'addresses':[{'type':'InternalIP','address':'2.2.2.2'}]}}"), typeof(V1Node));
        Json.Equal("{'status':{'addresses':[{'type':'InternalIP','address':'2.2.2.2'},{'type':'Hostname','address':'n'}]}}", result);
    }

    [Fact]
    public void ServicePortsMergeByPort()
    {
        var result = StrategicMergePatch.Apply(
            Json.Parse("{'spec':{'ports':[{'port':80,'nodePort':30001},{'port':443}]}}"),
            Json.Parse("{'spec':{'ports':[{'port':80,'targetPort':8080}]}}"), typeof(V1Service));
        Json.Equal("{'spec':{'ports':[{'port':80,'nodePort':30001,'targetPort':8080},{'port':443}]}}", result);
    }

    [Theory]
    [InlineData("item without its merge key", "{'spec':{'containers':[{'image':'x'}]}}", PatchErrorKind.Invalid, "map: {\"image\":\"x\"} does not contain declared merge key: name")]
    [InlineData("retainKeys not covering the patch", "{'spec':{'volumes':[{'name':'v','emptyDir':{},'$retainKeys':['name']}]}}", PatchErrorKind.Invalid, "patch content doesn't match retainKeys list")]
    [InlineData("unknown $patch", "{'metadata':{'labels':{'$patch':'frob'}}}", PatchErrorKind.BadRequest, "unknown patch type: frob in map: {}")]
    [InlineData("patch is an array", "[]", PatchErrorKind.BadRequest, "json: cannot unmarshal array into Go value of type map[string]interface {}")]
    public void Rejects(string name, string patch, PatchErrorKind kind, string message)
    {
        _ = name;
        var error = Assert.Throws<PatchException>(() => StrategicMergePatch.Apply(
            Json.Parse("{'metadata':{'labels':{'a':'b'}},'spec':{'containers':[{'name':'a','image':'x'}],'volumes':[{'name':'v','emptyDir':{}}]}}"),
            Json.Parse(patch), typeof(V1Pod)));
        Assert.Equal(kind, error.Kind);
        Assert.Equal(message, error.Message);
    }
}
