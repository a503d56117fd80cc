using SaliencySlider.Engine.Cam;
using SaliencySlider.Engine.Slider;

namespace SaliencySlider.Engine.Explaining;

/// <summary>
/// The explanation of one prepared image: prediction, CAM and the pixel rankings that the slider frames
/// are built from. Everything the frames need, so frame runs can be scheduled independently.
/// </summary>
public sealed class CamExplanation
{
    public required PreparedImage Image { get; init; }
    public required PredictionResult Prediction { get; init; }

    /// <summary>The full image's logits from the gradient run: the 100 % insertion frame's, without another run.</summary>
    public required float[] FullImageLogits { get; init; }

    /// <summary>Raw CAM, [CamHeight, CamWidth], after ReLU, before normalisation or upsampling.</summary>
    public required float[] Cam { get; init; }

    public required int CamWidth { get; init; }
    public required int CamHeight { get; init; }

    /// <summary>Shape of the target layer's tensor for one image, e.g. [1, 1280, 7, 7].</summary>
    public required IReadOnlyList<int> LayerShape { get; init; }

    public required string Method { get; init; }
    public required string Layer { get; init; }

    /// <summary>Pixel ranking at the model's input size (for the frame tensors).</summary>
    public required SaliencyRanking InputRanking { get; init; }

    /// <summary>Pixel ranking at display size (for the rendered frames).</summary>
    public required SaliencyRanking DisplayRanking { get; init; }

    /// <summary>The CAM upsampled to display size and min–max normalised (0..1).</summary>
    public required float[] DisplaySaliency { get; init; }

    /// <summary>The heatmap's unpremultiplied RGBA pixels at display size.</summary>
    public required byte[] HeatmapPixels { get; init; }

    public required byte[] HeatmapPng { get; init; }

    /// <summary>The method's steps on this image, from the weights its CAM used (<see cref="CamResult.Of"/>); null for methods that do not weight whole channels.</summary>
    public CamSteps? Steps { get; init; }

    public required double CamMs { get; init; }
    public required double HeatmapMs { get; init; }

    public ExplanationReady ToReadyEvent() => new(
        Prediction,
        HeatmapPng,
        Cam,
        CamWidth,
        CamHeight,
        LayerShape,
        Method,
        Layer,
        Image.Settings.FrameCount,
        Image.Display.Width,
        Image.Display.Height,
        Steps);
}
