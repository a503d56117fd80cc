using System.Buffers;
using SaliencySlider.Engine.Slider;

namespace SaliencySlider.Engine.Explaining;

/// <summary>
/// The frames-inference stage (<see cref="StageTimings.FramesInferenceMs"/>): each slider frame's insertion (and
/// deletion) input composed and run through the classifier, in chunks coarse to fine.
/// </summary>
public sealed partial class Explainer
{
    /// <summary>Frame indices in production order, cut into classifier runs (first run small).</summary>
    public IReadOnlyList<int[]> PlanFrameChunks(ExplainSettings settings)
    {
        var imagesPerFrame = settings.DeletionCurve ? 2 : 1;
        var framesPerRun = Math.Max(1, _options.MaxImagesPerRun / imagesPerFrame);
        return FrameOrder.Chunks(FrameOrder.CoarseToFine(settings.FrameCount), _options.FirstChunkFrames, framesPerRun);
    }

    /// <summary>Number of model inputs <see cref="WriteFrameInputs"/> writes for these frames.</summary>
    public static int FrameInputCount(ExplainSettings settings, int frames) => settings.DeletionCurve ? 2 * frames : frames;

    /// <summary>
    /// Writes the model inputs of the given frames into <paramref name="destination"/>: every frame's insertion
    /// input in order, then (with a deletion curve) every frame's deletion input (black baseline).
    /// </summary>
    public void WriteFrameInputs(CamExplanation explanation, ReadOnlySpan<int> frameIndices, Span<float> destination)
    {
        var image = explanation.Image;
        var plane = image.InputTensor.Length;
        var frameCount = image.Settings.FrameCount;
        var ranking = explanation.InputRanking;
        for (var i = 0; i < frameIndices.Length; i++)
        {
            var count = ranking.RevealedCount(FrameOrder.Fraction(frameIndices[i], frameCount));
            FrameTensorComposer.Insertion(image.InputTensor, image.BaselineTensor, ranking, count, destination.Slice(i * plane, plane));
        }
        if (image.Settings.DeletionCurve)
        {
            var black = BlackTensor();
            for (var i = 0; i < frameIndices.Length; i++)
            {
                var count = ranking.RevealedCount(FrameOrder.Fraction(frameIndices[i], frameCount));
                FrameTensorComposer.Deletion(image.InputTensor, black, ranking, count, destination.Slice((frameIndices.Length + i) * plane, plane));
            }
        }
    }

    /// <summary>
    /// Logits of the frames' insertion (and deletion) inputs. Without a deletion curve the 100 % frame's input is
    /// the full image, whose logits the gradient run already has; only the other frames are run.
    /// </summary>
    public FrameLogits PredictFrames(CamExplanation explanation, int[] frameIndices) => PredictFrames([new FrameRun(explanation, frameIndices)])[0];

    /// <summary>The frames of several jobs (or several chunks) in one classifier run; one result per request.</summary>
    public IReadOnlyList<FrameLogits> PredictFrames(IReadOnlyList<FrameRun> runs)
    {
        var classCount = Model.ClassCount;
        var plane = 3 * Model.InputWidth * Model.InputHeight;
        var plans = runs.Select(PlanRun).ToArray();
        var totalInputs = plans.Sum(p => p.Inputs);
        _options.FrameRunStarting?.Invoke([.. plans.SelectMany(p => p.ToRun)]);
        float[] computed = [];
        if (totalInputs > 0)
        {
            var input = ArrayPool<float>.Shared.Rent(totalInputs * plane);
            try
            {
                var offset = 0;
                for (var i = 0; i < runs.Count; i++)
                {
                    WriteFrameInputs(runs[i].Explanation, plans[i].ToRun, input.AsSpan(offset * plane, plans[i].Inputs * plane));
                    offset += plans[i].Inputs;
                }
                computed = RunForward(input.AsSpan(0, totalInputs * plane), totalInputs);
            }
            finally
            {
                ArrayPool<float>.Shared.Return(input);
            }
        }

        var results = new FrameLogits[runs.Count];
        var first = 0;
        for (var i = 0; i < runs.Count; i++)
        {
            var (explanation, frames) = runs[i];
            var plan = plans[i];
            var mine = computed.AsSpan(first * classCount, plan.Inputs * classCount);
            first += plan.Inputs;
            var settings = explanation.Image.Settings;
            var logits = new float[FrameInputCount(settings, frames.Length) * classCount];
            if (plan.FullImage < 0)
            {
                mine.CopyTo(logits);
            }
            else
            {
                mine[..(plan.FullImage * classCount)].CopyTo(logits);
                mine[(plan.FullImage * classCount)..].CopyTo(logits.AsSpan((plan.FullImage + 1) * classCount));
                explanation.FullImageLogits.CopyTo(logits, plan.FullImage * classCount);
            }
            results[i] = new FrameLogits(logits, classCount, frames.Length, settings.DeletionCurve);
        }
        return results;
    }

    private static (int[] ToRun, int FullImage, int Inputs) PlanRun(FrameRun run)
    {
        var settings = run.Explanation.Image.Settings;
        var frames = run.Frames;
        var fullImage = settings.DeletionCurve ? -1 : Array.IndexOf(frames, settings.FrameCount - 1);
        int[] toRun = fullImage < 0 ? frames : [.. frames[..fullImage], .. frames[(fullImage + 1)..]];
        return (toRun, fullImage, FrameInputCount(settings, toRun.Length));
    }

    /// <summary>
    /// Forward pass over a batch (of frames, or of Score-CAM's masked inputs): one image a run when the model cannot
    /// batch; on CPU in runs of at most <see cref="ExplainerOptions.MaxImagesPerRun"/>. On CUDA the classifier cuts
    /// batches itself (<see cref="Inference.ClassifierModelOptions.FixedForwardBatch"/>).
    /// </summary>
    public float[] RunForward(ReadOnlySpan<float> input, int images)
    {
        var classifier = Model.Classifier;
        var perRun = !classifier.SupportsBatching ? 1 : classifier.ExecutionProvider == "CPU" ? Math.Max(1, _options.MaxImagesPerRun) : images;
        if (images <= perRun)
        {
            return classifier.Forward(input, images);
        }
        var plane = input.Length / images;
        var logits = new float[images * classifier.ClassCount];
        for (var start = 0; start < images; start += perRun)
        {
            var count = Math.Min(perRun, images - start);
            classifier.Forward(input.Slice(start * plane, count * plane), count).CopyTo(logits, start * classifier.ClassCount);
        }
        return logits;
    }
}
