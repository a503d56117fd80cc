using SaliencySlider.Contracts.V1;
using SaliencySlider.Engine.Explaining;
using SaliencySlider.Shared.Jobs;
using ClassScore = SaliencySlider.Engine.Explaining.ClassScore;

namespace SaliencySlider.Cli.Remote;

/// <summary>
/// A streamed job's events as the engine's, so that the remote mode writes its output with the local mode's writer.
/// The contract sends 0 for the deletion curve when it was not asked for; the engine's events carry null.
/// </summary>
internal static class ContractEvents
{
    public static ExplanationReady Ready(Explanation explanation) => new(
        Prediction(explanation.Prediction),
        explanation.HeatmapPng.ToByteArray(),
        explanation.Cam.ToArray(),
        explanation.CamWidth,
        explanation.CamHeight,
        LayerShape: [],
        explanation.Method,
        explanation.Layer,
        explanation.FrameCount,
        explanation.FrameWidth,
        explanation.FrameHeight);

    public static SliderFrame Frame(Frame frame, bool deletionCurve) => new(
        frame.Index,
        frame.Percent,
        frame.Image.ToByteArray(),
        frame.MimeType,
        frame.Width,
        frame.Height,
        Prediction(frame.Prediction),
        frame.TargetProbability,
        deletionCurve ? frame.DeletionProbability : null);

    public static ExplanationCompleted Completed(Completed completed, bool deletionCurve)
        => new(completed.InsertionAuc, deletionCurve ? completed.DeletionAuc : null, ContractTimings.ToEngine(completed.Timings));

    /// <summary>What a comparison's first MethodResult tells of the whole comparison (the method names come one by one).</summary>
    public static ComparisonStarted ComparisonStarted(MethodResult result)
        => new(Prediction(result.Prediction), result.Layer, [], result.InsertionCurve.Count);

    public static MethodCompared MethodCompared(MethodResult result) => new(
        result.Position,
        result.Method,
        result.HeatmapPng.ToByteArray(),
        result.HeatmapWidth,
        result.HeatmapHeight,
        result.InsertionCurve.ToArray(),
        result.DeletionCurve.ToArray(),
        result.InsertionAuc,
        result.DeletionAuc,
        result.HasSufficiency ? result.Sufficiency : null,
        Ms: 0);

    private static PredictionResult Prediction(Contracts.V1.Prediction prediction) => new(
        prediction.Top.Select(score => new ClassScore(score.Index, score.Label, score.Probability, score.Logit)).ToArray(),
        prediction.TargetClass,
        prediction.TargetLabel,
        prediction.TargetProbability);
}
