using System.Text;
using k8s;
using k8s.Models;
using Navarch.Api.Defaulting;
using Navarch.Api.Printing;
using Navarch.Api.Resources;
using Navarch.Api.Selectors;
using Navarch.Api.Validation;

namespace Navarch.Api.Tests.Kinds;

/// <summary>ConfigMaps and Secrets: keys, the 1 MiB limit, immutability, secret types and stringData.</summary>
[Trait("Category", "Unit")]
public class ConfigDataKindsTests
{
    private static readonly System.Text.Json.JsonSerializerOptions Plain = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly DateTimeOffset Now = new(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);

    private static V1ObjectMeta Meta(string name) => new() { Name = name, NamespaceProperty = "default", CreationTimestamp = Now.UtcDateTime.AddMinutes(-5) };

    private static string[] Create(ResourceType rt, IKubernetesObject<V1ObjectMeta> obj)
    {
        ObjectDefaulter.Apply(rt, obj);
        return [.. ObjectValidator.ValidateCreate(rt, obj).Select(e => e.Message)];
    }

    private static string[] Update(ResourceType rt, IKubernetesObject<V1ObjectMeta> obj, IKubernetesObject<V1ObjectMeta> old)
    {
        ObjectDefaulter.Apply(rt, obj);
        ObjectDefaulter.Apply(rt, old);
        return [.. ObjectValidator.ValidateUpdate(rt, obj, old).Select(e => e.Message)];
    }

    [Fact]
    public void ConfigMap_keys_follow_upstream_rules()
    {
        var cm = new V1ConfigMap
        {
            Metadata = Meta("cfg"),
            Data = new Dictionary<string, string> { ["good.key"] = "1", ["bad key"] = "2", [".."] = "3", ["dup"] = "4" },
            BinaryData = new Dictionary<string, byte[]> { ["dup"] = [1] },
        };
        Assert.Equal(
        [
            "data[..]: Invalid value: \"..\": must not be '..'",
            "data[bad key]: Invalid value: \"bad key\": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
            "data[dup]: Invalid value: \"dup\": duplicate of key present in binaryData",
        ], Create(ResourceCatalog.ConfigMaps, cm));
    }

    [Fact]
    public void ConfigMap_over_one_mebibyte_is_too_long()
    {
        var cm = new V1ConfigMap { Metadata = Meta("big"), Data = new Dictionary<string, string> { ["a"] = new string('x', 1024 * 1024) } };
        Assert.Equal([": Too long: must have at most 1048576 bytes"], Create(ResourceCatalog.ConfigMaps, cm));
    }

    [Fact]
    public void Immutable_configmap_keeps_its_data_and_its_flag()
    {
        V1ConfigMap Make(string value, bool? immutable) =>
            new() { Metadata = Meta("cfg"), Immutable = immutable, Data = new Dictionary<string, string> { ["k"] = value } };
        Assert.Equal(["data: Forbidden: field is immutable when `immutable` is set"], Update(ResourceCatalog.ConfigMaps, Make("2", true), Make("1", true)));
        Assert.Equal(["immutable: Forbidden: field is immutable when `immutable` is set"], Update(ResourceCatalog.ConfigMaps, Make("1", false), Make("1", true)));
        Assert.Empty(Update(ResourceCatalog.ConfigMaps, Make("2", true), Make("1", null)));
    }

    [Fact]
    public void Secret_string_data_is_merged_into_data_and_dropped()
    {
        var secret = new V1Secret
        {
            Metadata = Meta("s"),
            Data = new Dictionary<string, byte[]> { ["a"] = Encoding.UTF8.GetBytes("old"), ["b"] = Encoding.UTF8.GetBytes("keep") },
            StringData = new Dictionary<string, string> { ["a"] = "new" },
        };
        Assert.Empty(Create(ResourceCatalog.Secrets, secret));
        Assert.Equal("Opaque", secret.Type);
        Assert.Null(secret.StringData);
        Assert.Equal("new", Encoding.UTF8.GetString(secret.Data["a"]));
        Assert.Equal("keep", Encoding.UTF8.GetString(secret.Data["b"]));
        Assert.Contains("\"a\":\"bmV3\"", KubernetesJson.Serialize(secret), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("kubernetes.io/tls", "data[tls.key]: Required value|data[tls.crt]: Required value")]
    [InlineData("kubernetes.io/dockerconfigjson", "data[.dockerconfigjson]: Required value")]
    [InlineData("kubernetes.io/service-account-token", "metadata.annotations[kubernetes.io/service-account.name]: Required value")]
    [InlineData("Opaque", "")]
    public void Secret_types_require_their_keys(string type, string expected)
    {
        var secret = new V1Secret { Metadata = Meta("s"), Type = type };
        Assert.Equal(expected.Length == 0 ? [] : expected.Split('|'), Create(ResourceCatalog.Secrets, secret));
    }

    [Fact]
    public void Docker_config_json_must_be_json_and_is_never_echoed()
    {
        var secret = new V1Secret { Metadata = Meta("s"), Type = "kubernetes.io/dockerconfigjson", Data = new Dictionary<string, byte[]> { [".dockerconfigjson"] = Encoding.UTF8.GetBytes("hunter2") } };
        var message = Assert.Single(Create(ResourceCatalog.Secrets, secret));
        Assert.StartsWith("data[.dockerconfigjson]: Invalid value: \"<secret contents redacted>\":", message);
        Assert.DoesNotContain("hunter2", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Secret_type_never_changes()
    {
        var old = new V1Secret { Metadata = Meta("s"), Type = "Opaque" };
        var changed = new V1Secret { Metadata = Meta("s"), Type = "kubernetes.io/basic-auth", StringData = new Dictionary<string, string> { ["username"] = "u" } };
        Assert.Equal(["type: Invalid value: \"kubernetes.io/basic-auth\": field is immutable"], Update(ResourceCatalog.Secrets, changed, old));
    }

    [Fact]
    public void Tables_count_keys_and_never_show_values()
    {
        var secret = new V1Secret { Metadata = Meta("s"), Type = "Opaque", Data = new Dictionary<string, byte[]> { ["password"] = Encoding.UTF8.GetBytes("hunter2") } };
        var row = TablePrinter.Print(ResourceCatalog.Secrets, [secret], Now, IncludeObject.None, true)["rows"]![0]!["cells"]!.ToJsonString(Plain);
        Assert.Equal("[\"s\",\"Opaque\",1,\"5m\"]", row);
        var cm = new V1ConfigMap { Metadata = Meta("c"), Data = new Dictionary<string, string> { ["a"] = "1" }, BinaryData = new Dictionary<string, byte[]> { ["b"] = [1] } };
        Assert.Equal("[\"c\",2,\"5m\"]", TablePrinter.Print(ResourceCatalog.ConfigMaps, [cm], Now, IncludeObject.None, true)["rows"]![0]!["cells"]!.ToJsonString(Plain));
        Assert.Equal("Opaque", ObjectFields.GetValue(ResourceCatalog.Secrets, secret, "type"));
    }
}
