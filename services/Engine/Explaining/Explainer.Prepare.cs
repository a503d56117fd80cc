using System.Diagnostics;
using SaliencySlider.Engine.Imaging;
using SaliencySlider.Engine.Models;

namespace SaliencySlider.Engine.Explaining;

/// <summary>The prepare stage (<see cref="StageTimings.DecodeMs"/>): the settings checked, the image decoded and preprocessed, the baselines made.</summary>
public sealed partial class Explainer
{
    /// <summary>Validates the settings, decodes the image and builds the model input, the display image and the baselines.</summary>
    public PreparedImage Prepare(ReadOnlyMemory<byte> imageBytes, ExplainSettings settings)
    {
        var clock = Stopwatch.StartNew();
        ExplainSettingsValidator.Validate(settings, Model.ClassCount);
        var manifest = Model.Manifest;
        var image = ImageDecoder.Decode(imageBytes.Span, (width, height) => DecodeScale(width, height, manifest, settings.MaxFrameSide));
        var view = ModelView.For(image, manifest);
        var (displayWidth, displayHeight) = ImageResampler.FitWithin(view.Width, view.Height, settings.MaxFrameSide);
        RgbaImage? modelInput = null, display = null, displayBaseline = null;
        float[]? inputTensor = null, baselineTensor = null;
        // The model's side and the display's side are independent, and on the path to the first frame before any
        // classifier run keeps the cores busy: each on a core of its own.
        Parallel.Invoke(
            () =>
            {
                modelInput = ImageResampler.Resample(image, view, manifest.InputWidth, manifest.InputHeight);
                inputTensor = TensorConverter.ToTensor(modelInput, manifest);
                baselineTensor = TensorConverter.ToTensor(Baseline(modelInput, settings.Baseline), manifest);
            },
            () =>
            {
                display = ImageResampler.Resample(image, view, displayWidth, displayHeight);
                displayBaseline = Baseline(display, settings.Baseline);
            });
        return new PreparedImage
        {
            Settings = settings,
            TargetLayer = string.IsNullOrEmpty(settings.TargetLayer) ? Model.DefaultTargetLayer : settings.TargetLayer,
            View = view,
            ModelInput = modelInput!,
            InputTensor = inputTensor!,
            BaselineTensor = baselineTensor!,
            Display = display!,
            DisplayBaseline = displayBaseline!,
            PrepareMs = clock.Elapsed.TotalMilliseconds,
        };
    }

    /// <summary>
    /// The least fraction of an upright image of this size that still gives the model input and the display image
    /// twice their size in decoded pixels across the model's view: each of their pixels is still filtered from at
    /// least 2×2 decoded ones, as when they are shrunk from the whole image. A large photo (a phone's 12 MP) is then
    /// decoded at a quarter or half of its size.
    /// </summary>
    internal static float DecodeScale(int width, int height, ModelManifest manifest, int maxFrameSide)
    {
        var view = ModelView.For(width, height, manifest);
        var (displayWidth, displayHeight) = ImageResampler.FitWithin(view.Width, view.Height, maxFrameSide);
        var needed = 2f * Math.Max(
            Math.Max(manifest.InputWidth / view.Width, manifest.InputHeight / view.Height),
            Math.Max(displayWidth / view.Width, displayHeight / view.Height));
        return Math.Min(1f, needed);
    }

    /// <summary>The model input of a black image (the deletion curve's baseline).</summary>
    internal float[] BlackTensor()
        => TensorConverter.ToTensor(RgbaImage.Filled(Model.InputWidth, Model.InputHeight, 0, 0, 0), Model.Manifest);

    internal static RgbaImage Baseline(RgbaImage image, BaselineKind kind) => kind switch
    {
        BaselineKind.Blur => GaussianBlur.Apply(image, GaussianBlur.SigmaFor(Math.Max(image.Width, image.Height))),
        BaselineKind.Black => RgbaImage.Filled(image.Width, image.Height, 0, 0, 0),
        BaselineKind.Gray => RgbaImage.Filled(image.Width, image.Height, 128, 128, 128),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };
}
