using SaliencySlider.Engine.Imaging;

namespace SaliencySlider.Engine.Explaining;

/// <summary>An image decoded and preprocessed for one explanation: what the model sees and what is displayed.</summary>
public sealed record PreparedImage
{
    public required ExplainSettings Settings { get; init; }

    /// <summary>The tensor explained: the settings' layer or the model's default.</summary>
    public required string TargetLayer { get; init; }

    /// <summary>The region of the upright image the model sees (and the frames show).</summary>
    public required ModelView View { get; init; }

    /// <summary>The model view at the model's input size.</summary>
    public required RgbaImage ModelInput { get; init; }

    /// <summary>[3, H, W] model input of the image.</summary>
    public required float[] InputTensor { get; init; }

    /// <summary>[3, H, W] model input of the baseline (what unrevealed pixels show).</summary>
    public required float[] BaselineTensor { get; init; }

    /// <summary>The model view at display size (longest side at most MaxFrameSide).</summary>
    public required RgbaImage Display { get; init; }

    public required RgbaImage DisplayBaseline { get; init; }

    public required double PrepareMs { get; init; }
}
