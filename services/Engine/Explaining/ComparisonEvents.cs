namespace SaliencySlider.Engine.Explaining;

/// <summary>An event of one method comparison, in the order <see cref="MethodComparer"/> produces them.</summary>
public abstract record ComparisonEvent;

/// <summary>The full image's prediction and the methods that will follow, in that order.</summary>
public sealed record ComparisonStarted(PredictionResult Prediction, string Layer, IReadOnlyList<string> Methods, int FrameCount) : ComparisonEvent;

/// <summary>
/// One method's result: its heatmap (display size, as a single-method job's), its insertion and deletion curves (one
/// point per slider frame, in slider order), their areas, and its sufficiency point (see <see cref="Slider.SufficiencyPoint"/>).
/// </summary>
public sealed record MethodCompared(
    int Position,
    string Method,
    byte[] HeatmapPng,
    int HeatmapWidth,
    int HeatmapHeight,
    float[] InsertionCurve,
    float[] DeletionCurve,
    float InsertionAuc,
    float DeletionAuc,
    float? Sufficiency,
    double Ms) : ComparisonEvent;

/// <summary>The last event: every method's result was given. Timings are summed over the methods.</summary>
public sealed record ComparisonCompleted(StageTimings Timings) : ComparisonEvent;
