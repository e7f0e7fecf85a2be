using Navarch.Api.Validation;

namespace Navarch.Api.Tests.Validation;

[Trait("Category", "Unit")]
public class ValueFormatsTests
{
    [Theory]
    [InlineData("my-name", true)]
    [InlineData("a.b", false)]
    [InlineData("-a", false)]
    [InlineData("A", false)]
    [InlineData("a\n", false)]
    public void Dns1123Label(string value, bool valid) => Assert.Equal(valid, ValueFormats.IsDns1123Label(value).Count == 0);

    [Theory]
    [InlineData("example.com", true)]
    [InlineData("Foo", false)]
    [InlineData("a..b", false)]
    public void Dns1123Subdomain(string value, bool valid) => Assert.Equal(valid, ValueFormats.IsDns1123Subdomain(value).Count == 0);

    [Theory]
    [InlineData("app", true)]
    [InlineData("example.com/app", true)]
    [InlineData("app.kubernetes.io/name", true)]
    [InlineData("/app", false)]
    [InlineData("a/b/c", false)]
    [InlineData("Ex.com/app", false)]
    [InlineData("_app", false)]
    public void QualifiedName(string value, bool valid) => Assert.Equal(valid, ValueFormats.IsQualifiedName(value).Count == 0);

    [Theory]
    [InlineData("http", true)]
    [InlineData("80", false)]
    [InlineData("a--b", false)]
    [InlineData("very-long-port-name", false)]
    public void PortName(string value, bool valid) => Assert.Equal(valid, ValueFormats.IsValidPortName(value).Count == 0);

    [Theory]
    [InlineData("10.0.0.1", true)]
    [InlineData("2001:db8::1", true)]
    [InlineData("010.0.0.1", false)]
    [InlineData("10.0.0", false)]
    [InlineData("None", false)]
    public void Ip(string value, bool valid) => Assert.Equal(valid, ValueFormats.IsValidIp(value).Count == 0);

    [Fact]
    public void Label_messages_are_upstream_text()
    {
        Assert.Equal(
            "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
            Assert.Single(ValueFormats.IsDns1123Subdomain("Foo")));
        Assert.Equal("must not contain dots", Assert.Single(ValueFormats.IsDns1123Label("a.b")));
        Assert.Equal(["must be no more than 63 characters"], ValueFormats.IsLabelValue(new string('a', 64)));
    }
}
