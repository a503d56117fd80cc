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
    public FrameLogits PredictFrames(CamExplanation explanation, int[] frameIndices)
    {
        var classCount = Model.ClassCount;
        var plane = 3 * Model.InputWidth * Model.InputHeight;
        var settings = explanation.Image.Settings;
        var fullImage = settings.DeletionCurve ? -1 : Array.IndexOf(frameIndices, settings.FrameCount - 1);
        int[] toRun = fullImage < 0 ? frameIndices : [.. frameIndices[..fullImage], .. frameIndices[(fullImage + 1)..]];
        var inputs = FrameInputCount(settings, toRun.Length);
        _options.FrameRunStarting?.Invoke(toRun);
        float[] computed = [];
        if (inputs > 0)
        {
            var input = ArrayPool<float>.Shared.Rent(inputs * plane);
            try
            {
                WriteFrameInputs(explanation, toRun, input.AsSpan(0, inputs * plane));
                computed = RunForward(input.AsSpan(0, inputs * plane), inputs);
            }
            finally
            {
                ArrayPool<float>.Shared.Return(input);
            }
        }

        if (fullImage < 0)
        {
            return new FrameLogits(computed, classCount, frameIndices.Length, settings.DeletionCurve);
        }
        var logits = new float[FrameInputCount(settings, frameIndices.Length) * classCount];
        computed.AsSpan(0, fullImage * classCount).CopyTo(logits);
        computed.AsSpan(fullImage * classCount).CopyTo(logits.AsSpan((fullImage + 1) * classCount));
        explanation.FullImageLogits.CopyTo(logits, fullImage * classCount);
        return new FrameLogits(logits, classCount, frameIndices.Length, settings.DeletionCurve);
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
