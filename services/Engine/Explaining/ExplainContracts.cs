using SaliencySlider.Engine.Cam;
namespace SaliencySlider.Engine.Explaining;

public enum CamMethodKind
{
    GradCam,
    GradCamPlusPlus,
    HiResCam,
    XGradCam,
    LayerCam,
    EigenCam,
    ScoreCam,
}

public enum BaselineKind
{
    Blur,
    Black,
    Gray,
}

public enum FrameFormat
{
    Jpeg,
    Webp,
    Png,
}

/// <summary>What to explain and how to render the slider. Defaults (<see cref="ExplainLimits"/>) are the service's.</summary>
public sealed record ExplainSettings
{
    public CamMethodKind Method { get; init; } = ExplainLimits.DefaultMethod;

    /// <summary>Class to explain; null for the top-1 prediction.</summary>
    public int? TargetClass { get; init; }

    /// <summary>Tensor to explain; null for the model's default target layer.</summary>
    public string? TargetLayer { get; init; }

    public int FrameCount { get; init; } = ExplainLimits.DefaultFrameCount;
    public BaselineKind Baseline { get; init; } = ExplainLimits.DefaultBaseline;
    public int MaxFrameSide { get; init; } = ExplainLimits.DefaultMaxFrameSide;
    public FrameFormat Format { get; init; } = ExplainLimits.DefaultFormat;
    public int TopK { get; init; } = ExplainLimits.DefaultTopK;
    public bool DeletionCurve { get; init; }

    /// <summary>
    /// Score-CAM: how many channels to score (those of highest activation variance); null for the default
    /// (<see cref="Cam.ScoreCam.DefaultChannelCap"/>: every channel on CUDA). Other methods ignore it.
    /// </summary>
    public int? ScoreCamChannels { get; init; }
}

public sealed record ClassScore(int Index, string Label, float Probability, float Logit);

public sealed record PredictionResult(IReadOnlyList<ClassScore> Top, int TargetClass, string TargetLabel, float TargetProbability);

public sealed record StageTimings
{
    public double DecodeMs { get; init; }
    public double GradientMs { get; init; }
    /// <summary>The CAM from the activations (and gradients); for Score-CAM with its forward passes of masked inputs.</summary>
    public double CamMs { get; init; }
    public double FramesInferenceMs { get; init; }

    /// <summary>Heatmap plus every frame's compose and encode time, summed (frames may render in parallel, see <see cref="ExplainerOptions.RenderThreads"/>).</summary>
    public double RenderMs { get; init; }
    public double TotalMs { get; init; }
}

/// <summary>An event of one explanation, in the order the engine produces them.</summary>
public abstract record ExplainEvent;

/// <summary>The full image's prediction and heatmap; comes before every frame.</summary>
public sealed record ExplanationReady(
    PredictionResult Prediction,
    byte[] HeatmapPng,
    float[] Cam,
    int CamWidth,
    int CamHeight,
    IReadOnlyList<int> LayerShape,
    string Method,
    string Layer,
    int FrameCount,
    int FrameWidth,
    int FrameHeight,
    CamSteps? Steps = null) : ExplainEvent;

/// <summary>One slider frame; frames come coarse to fine (0 %, 100 %, 50 %, 25 %, 75 %, ...).</summary>
public sealed record SliderFrame(
    int Index,
    float Percent,
    byte[] Image,
    string MimeType,
    int Width,
    int Height,
    PredictionResult Prediction,
    float TargetProbability,
    float? DeletionProbability) : ExplainEvent;

/// <summary>Score-CAM's forward passes: <paramref name="Scored"/> of <paramref name="Total"/> channels scored; comes before the explanation.</summary>
public sealed record ChannelScoringProgress(int Scored, int Total) : ExplainEvent;

public sealed record ExplanationCompleted(float InsertionAuc, float? DeletionAuc, StageTimings Timings) : ExplainEvent;

/// <summary>Bytes that are not a decodable image of a supported format, or an image the engine refuses.</summary>
public sealed class InvalidImageException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>Settings outside the documented ranges: the caller's mistake, never worth another attempt.</summary>
public sealed class InvalidSettingsException(string message) : Exception(message);

/// <summary>A target layer path to the logits through an operator with no backward rule, or another unusable model.</summary>
public sealed class UnsupportedModelException(string message) : Exception(message);
