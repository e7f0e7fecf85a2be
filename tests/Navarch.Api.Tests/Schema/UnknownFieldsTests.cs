using k8s.Models;
using Navarch.Api.Schema;
using Navarch.Api.Tests.Patching;

namespace Navarch.Api.Tests.Schema;

[Trait("Category", "Unit")]
public sealed class UnknownFieldsTests
{
    public static TheoryData<string, Type, string, string[]> Cases => new()
    {
        { "a clean pod", typeof(V1Pod),
            "{'apiVersion':'v1','kind':'Pod','metadata':{'name':'p','labels':{'Whatever':'x'},'annotations':{'a/b':'c'}},'spec':{'containers':[{'name':'c','image':'i','resources':{'limits':{'cpu':'1'}},'ports':[{'containerPort':80}]}]}}",
            [] },
        { "unknown spec field", typeof(V1Pod), "{'spec':{'foo':1,'containers':[]}}", ["unknown field \"spec.foo\""] },
        { "unknown field in a container", typeof(V1Pod), "{'spec':{'containers':[{'name':'a'},{'name':'b','imagee':'x'}]}}", ["unknown field \"spec.containers[1].imagee\""] },
        { "case matters", typeof(V1Pod), "{'Spec':{},'metadata':{'Name':'x'}}", ["unknown field \"Spec\"", "unknown field \"metadata.Name\""] },
        { "unknown in a port of an rc template", typeof(V1ReplicationController),
            "{'spec':{'replicas':2,'selectr':{'a':'b'},'template':{'spec':{'containers':[{'name':'n','ports':[{'containerPort':80,'hostport':1}]}]}}}}",
            ["unknown field \"spec.selectr\"", "unknown field \"spec.template.spec.containers[0].ports[0].hostport\""] },
        { "rc selector values are free-form", typeof(V1ReplicationController), "{'spec':{'selector':{'anything':'goes'}}}", [] },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Finds(string name, Type model, string raw, string[] expected)
    {
        _ = name;
        Assert.Equal(expected, UnknownFields.Find(Json.Parse(raw), model));
    }

    [Fact]
    public void FindsDuplicatesInRawJson()
    {
        var errors = UnknownFields.Find("""{"metadata":{"name":"a","name":"b"},"spec":{"containers":[{"name":"x","image":"i","image":"j"}],"bogus":1}}""", typeof(V1Pod));
        Assert.Equal(["duplicate field \"metadata.name\"", "duplicate field \"spec.containers[0].image\"", "unknown field \"spec.bogus\""], errors);
    }

    [Fact]
    public void FormatsStrictErrorLikeUpstream()
    {
        string[] errors = ["unknown field \"spec.foo\"", "unknown field \"spec.bar\""];
        Assert.Equal("strict decoding error: unknown field \"spec.foo\", unknown field \"spec.bar\"", UnknownFields.StrictError(errors));
        Assert.Equal("Pod in version \"v1\" cannot be handled as a Pod: strict decoding error: unknown field \"spec.foo\", unknown field \"spec.bar\"",
            UnknownFields.StrictError(errors, "Pod"));
        Assert.Equal(errors, UnknownFields.Warnings(errors));
    }
}
