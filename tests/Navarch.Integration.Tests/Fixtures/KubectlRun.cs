using Navarch.Testing;

namespace Navarch.Integration.Tests.Fixtures;

/// <summary>kubectl calls that must succeed, each with a timeout, failing with the whole output when they don't.</summary>
public static class KubectlRun
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <summary>Runs kubectl; asserts exit 0; returns the result.</summary>
    public static async Task<KubectlResult> OkAsync(this Kubectl kubectl, params string[] args)
    {
        var r = await kubectl.RunAsync(args, timeout: Timeout);
        Assert.True(r.ExitCode == 0, $"{Path.GetFileName(kubectl.Binary)} {string.Join(' ', args)} failed:\n{r}");
        return r;
    }

    /// <summary>Runs kubectl; asserts a non-zero exit; returns the result.</summary>
    public static async Task<KubectlResult> FailsAsync(this Kubectl kubectl, params string[] args)
    {
        var r = await kubectl.RunAsync(args, timeout: Timeout);
        Assert.True(r.ExitCode != 0, $"{Path.GetFileName(kubectl.Binary)} {string.Join(' ', args)} should have failed:\n{r}");
        return r;
    }

    /// <summary>Asserts that some line of stdout matches <paramref name="pattern"/> (anchors apply per line).</summary>
    public static void HasLine(this KubectlResult r, string pattern) =>
        Assert.True(System.Text.RegularExpressions.Regex.IsMatch(r.Stdout, "(?m)" + pattern), $"no line matches {pattern} in:\n{r}");

    /// <summary>The output line whose first column is <paramref name="name"/> (the row of that object), or a failure listing the output.</summary>
    public static string Row(this KubectlResult r, string name, int column = 0)
    {
        var row = r.Stdout.Split('\n').FirstOrDefault(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries) is { } cells && cells.Length > column && cells[column] == name);
        Assert.True(row is not null, $"no row for {name} in:\n{r}");
        return row!;
    }
}
