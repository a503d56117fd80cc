using System.Globalization;
using SaliencySlider.Engine.Explaining;

namespace SaliencySlider.Cli.Comparing;

/// <summary>
/// How compare and evaluate measure a method's faithfulness, stated in their outputs: the steps, the two curves'
/// baselines, the score and the area. One description for compare.json, evaluation.md and evaluation.csv.
/// </summary>
internal sealed record ComparisonProtocol(int Frames, string InsertionBaseline, string DeletionBaseline, string Score, string Auc)
{
    public const string DeletionBaselineName = "black";

    public int Steps => Frames - 1;

    public static ComparisonProtocol For(ExplainSettings settings) => new(
        settings.FrameCount,
        settings.Baseline.ToString().ToLowerInvariant(),
        DeletionBaselineName,
        settings.TargetClass is { } target
            ? string.Create(CultureInfo.InvariantCulture, $"softmax probability of class {target}")
            : "softmax probability of the full image's top-1 class",
        "trapezoid rule over the revealed fraction 0..1");

    /// <summary>One sentence, as evaluation.md and the printed summary state it.</summary>
    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"{Frames} points per curve ({Steps} equal steps of 1/{Steps} of the model input's pixels, most salient first by the CAM " +
        $"bilinearly upsampled to the input); insertion reveals them over a {InsertionBaseline} baseline, deletion sets them to " +
        $"{DeletionBaseline}; score: {Score}; AUC: {Auc}.");
}
