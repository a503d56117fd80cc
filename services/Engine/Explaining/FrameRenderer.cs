using System.Diagnostics;
using SaliencySlider.Engine.Models;
using SaliencySlider.Engine.Rendering;
using SaliencySlider.Engine.Slider;

namespace SaliencySlider.Engine.Explaining;

/// <summary>
/// The render stage (<see cref="StageTimings.RenderMs"/>): slider frames from predicted logits, each partial image
/// composed, encoded and given its prediction. With <see cref="ExplainerOptions.RenderThreads"/> above 1, a run's
/// frames render on that many threads, shared by every job of the explainer.
/// </summary>
internal sealed class FrameRenderer(ExplainerModel model, ExplainerOptions options)
{
    private readonly SemaphoreSlim? _slots = options.RenderThreads > 1 ? new SemaphoreSlim(options.RenderThreads) : null;

    public bool RendersInParallel => _slots is not null;

    /// <summary>The display frame of slider position <paramref name="index"/>, encoded, with its prediction.</summary>
    public SliderFrame Render(CamExplanation explanation, int index, ReadOnlySpan<float> insertionLogits, ReadOnlySpan<float> deletionLogits)
    {
        var image = explanation.Image;
        var settings = image.Settings;
        var target = explanation.Prediction.TargetClass;
        var fraction = FrameOrder.Fraction(index, settings.FrameCount);
        var prediction = PredictionBuilder.FromLogits(insertionLogits, target, settings.TopK, model.LabelOf);
        float? deletionProbability = settings.DeletionCurve ? PredictionBuilder.ProbabilityOf(deletionLogits, target) : null;
        var ranking = explanation.DisplayRanking;
        var pixels = DisplayFrameComposer.Compose(image.Display, image.DisplayBaseline, ranking, ranking.RevealedCount(fraction));
        return new SliderFrame(
            index,
            (float)(fraction * 100),
            ImageEncoder.Encode(pixels, settings.Format, options.FrameQuality),
            ImageEncoder.MimeType(settings.Format),
            pixels.Width,
            pixels.Height,
            prediction,
            prediction.TargetProbability,
            deletionProbability);
    }

    /// <summary>Starts rendering a run's frames, in slider order, each as soon as a render thread is free.</summary>
    public Task<TimedFrame>[] StartRenders(CamExplanation explanation, int[] frameIndices, FrameLogits logits, CancellationToken ct)
    {
        var renders = new Task<TimedFrame>[frameIndices.Length];
        for (var position = 0; position < frameIndices.Length; position++)
        {
            renders[position] = RenderWhenASlotIsFreeAsync(explanation, frameIndices[position], logits, position, ct);
        }
        return renders;
    }

    private async Task<TimedFrame> RenderWhenASlotIsFreeAsync(CamExplanation explanation, int index, FrameLogits logits, int position, CancellationToken ct)
    {
        await _slots!.WaitAsync(ct);
        try
        {
            return await Task.Run(() =>
            {
                var clock = Stopwatch.StartNew();
                var frame = Render(explanation, index, logits.Insertion(position), logits.Deletion(position));
                return new TimedFrame(frame, clock.Elapsed.TotalMilliseconds);
            }, ct);
        }
        finally
        {
            _slots.Release();
        }
    }
}

internal readonly record struct TimedFrame(SliderFrame Frame, double RenderMs);
