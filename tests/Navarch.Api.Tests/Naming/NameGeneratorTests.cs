using Navarch.Api.Naming;

namespace Navarch.Api.Tests.Naming;

[Trait("Category", "Unit")]
public class NameGeneratorTests
{
    [Theory]
    [InlineData("nginx-", 11)]
    [InlineData("", 5)]
    [InlineData("a-very-long-prefix-that-goes-on-and-on-and-on-beyond-sixty-three-chars-", 63)]
    public void Appends_five_characters_within_63(string prefix, int expectedLength)
    {
        var name = NameGenerator.Generate(prefix);
        Assert.Equal(expectedLength, name.Length);
        Assert.StartsWith(prefix[..Math.Min(prefix.Length, 58)], name);
        Assert.All(name[^5..], c => Assert.Contains(c, NameGenerator.Alphabet));
    }

    [Fact]
    public void Names_differ()
    {
        var names = Enumerable.Range(0, 50).Select(_ => NameGenerator.Generate("x-")).ToHashSet();
        Assert.True(names.Count > 45);
    }
}
