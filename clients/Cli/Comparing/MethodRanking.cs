using SaliencySlider.Engine.Explaining;

namespace SaliencySlider.Cli.Comparing;

/// <summary>Methods ranked by insertion AUC minus deletion AUC, highest first (ties by name): faithful maps score high on both.</summary>
internal static class MethodRanking
{
    public const string Description = "insertionAuc - deletionAuc, highest first";

    public static float Score(float insertionAuc, float deletionAuc) => insertionAuc - deletionAuc;

    public static IReadOnlyList<MethodCompared> Rank(IEnumerable<MethodCompared> results) => results
        .OrderByDescending(r => Score(r.InsertionAuc, r.DeletionAuc))
        .ThenBy(r => r.Method, StringComparer.Ordinal)
        .ToArray();
}
