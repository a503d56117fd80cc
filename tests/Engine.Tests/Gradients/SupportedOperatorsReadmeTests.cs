using System.Text.RegularExpressions;
using SaliencySlider.Engine.Gradients;

namespace SaliencySlider.Engine.Tests.Gradients;

/// <summary>The README's table of operators with a backward rule lists exactly BackwardRules.Table.</summary>
public sealed partial class SupportedOperatorsReadmeTests
{
    private const string Start = "<!-- backward-ops:start -->";
    private const string End = "<!-- backward-ops:end -->";

    [Fact]
    public void README_lists_exactly_the_operators_with_a_backward_rule()
    {
        var readme = File.ReadAllText(RepositoryPaths.Combine("README.md"));
        var start = readme.IndexOf(Start, StringComparison.Ordinal);
        var end = readme.IndexOf(End, StringComparison.Ordinal);
        Assert.True(start >= 0 && end > start, $"README.md has no {Start} … {End} block");

        var listed = OperatorName().Matches(readme[start..end]).Select(m => m.Groups[1].Value).ToList();
        var duplicates = listed.GroupBy(name => name).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        var missing = BackwardRules.Table.Keys.Except(listed).Order().ToList();
        var extra = listed.Except(BackwardRules.Table.Keys).Order().ToList();
        Assert.True(
            missing.Count == 0 && extra.Count == 0 && duplicates.Count == 0,
            $"README.md's backward-ops table disagrees with BackwardRules.Table: missing {string.Join(", ", missing)}; " +
            $"without a rule {string.Join(", ", extra)}; listed twice {string.Join(", ", duplicates)}");
    }

    [GeneratedRegex("`([A-Za-z][A-Za-z0-9]*)`")]
    private static partial Regex OperatorName();
}
