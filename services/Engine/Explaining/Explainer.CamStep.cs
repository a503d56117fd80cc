using System.Diagnostics;
using SaliencySlider.Engine.Cam;
using SaliencySlider.Engine.Inference;
using SaliencySlider.Engine.Rendering;
using SaliencySlider.Engine.Slider;

namespace SaliencySlider.Engine.Explaining;

/// <summary>
/// The CAM stage (<see cref="StageTimings.CamMs"/>): prediction, CAM and pixel rankings of one row of a gradient run; and
/// its heatmap, made meanwhile (timed with rendering, <see cref="StageTimings.RenderMs"/>).
/// </summary>
public sealed partial class Explainer
{
    /// <summary>
    /// Prediction, CAM, rankings and heatmap for row <paramref name="row"/> of a gradient run; a method that needs
    /// forward passes (Score-CAM) reads <paramref name="channelScores"/> (<see cref="ChannelScoring.Scores"/>).
    /// </summary>
    public CamExplanation Explain(PreparedImage image, GradientBatch gradients, int row, float[]? channelScores = null)
    {
        var clock = Stopwatch.StartNew();
        var settings = image.Settings;
        var target = gradients.TargetClasses[row];
        var logits = gradients.Logits.AsSpan(row * gradients.ClassCount, gradients.ClassCount);
        var prediction = PredictionBuilder.FromLogits(logits, target, settings.TopK, Model.LabelOf);

        var maps = ActivationMaps.FromBatchRow(gradients, row, Model.GridOf(image.TargetLayer));
        if (channelScores is not null)
        {
            maps = maps.WithChannelScores(channelScores);
        }
        var method = CamMethods.For(settings.Method);
        var (cam, steps) = CamResult.Of(method, maps);
        var manifest = Model.Manifest;
        var inputSaliency = CamUpsampler.Bilinear(cam, maps.Height, maps.Width, manifest.InputHeight, manifest.InputWidth);
        var display = image.Display;
        var displaySaliency = CamUpsampler.Bilinear(cam, maps.Height, maps.Width, display.Height, display.Width);
        var normalized = CamUpsampler.MinMaxNormalize(displaySaliency);
        SaliencyRanking? inputRanking = null, displayRanking = null;
        byte[]? heatmapPixels = null, heatmapPng = null;
        double camMs = 0, heatmapMs = 0;
        // Both are on the path to the first frame and independent: the heatmap is made on another core meanwhile.
        Parallel.Invoke(
            () =>
            {
                inputRanking = SaliencyRanking.FromSaliency(inputSaliency);
                displayRanking = SaliencyRanking.FromSaliency(displaySaliency);
                camMs = clock.Elapsed.TotalMilliseconds;
            },
            () =>
            {
                var heatmapClock = Stopwatch.StartNew();
                heatmapPixels = HeatmapRenderer.HeatmapPixels(normalized);
                heatmapPng = ImageEncoder.EncodeRgbaPng(display.Width, display.Height, heatmapPixels);
                heatmapMs = heatmapClock.Elapsed.TotalMilliseconds;
            });
        return new CamExplanation
        {
            Image = image,
            Prediction = prediction,
            FullImageLogits = logits.ToArray(),
            Cam = cam,
            CamWidth = maps.Width,
            CamHeight = maps.Height,
            LayerShape = [1, maps.Channels, maps.Height, maps.Width],
            Method = method.Name,
            Layer = image.TargetLayer,
            InputRanking = inputRanking!,
            DisplayRanking = displayRanking!,
            DisplaySaliency = normalized,
            HeatmapPixels = heatmapPixels!,
            HeatmapPng = heatmapPng!,
            Steps = steps,
            CamMs = camMs,
            HeatmapMs = heatmapMs,
        };
    }
}
