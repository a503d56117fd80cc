using System.Diagnostics;
using System.Runtime.CompilerServices;
using SaliencySlider.Engine.Cam;
using SaliencySlider.Engine.Models;
using SaliencySlider.Engine.Slider;

namespace SaliencySlider.Engine.Explaining;

/// <summary>
/// Explains images with one loaded model. Each stage of the data path is a public step in a file of its own, so
/// tools can run and time them one by one: Explainer.Prepare.cs (decode, preprocess, baselines),
/// Explainer.GradientRun.cs (one run for logits, activations and gradients), Explainer.ScoreRuns.cs (Score-CAM's
/// forward passes), Explainer.CamStep.cs (prediction, CAM, rankings, heatmap), Explainer.FrameRuns.cs (the frames'
/// inputs and their runs) and FrameRenderer.cs. <see cref="ExplainAsync"/>, here, is one job's pipelined loop
/// through the stages, each classifier run on the thread pool.
/// </summary>
public sealed partial class Explainer(ExplainerModel model, ExplainerOptions? options = null)
{
    private readonly ExplainerOptions _options = options ?? new ExplainerOptions();
    private readonly FrameRenderer _renderer = new(model, options ?? new ExplainerOptions());

    /// <summary>Most progress events of one Score-CAM job (besides the first, 0 of K).</summary>
    private const int ScoringProgressReports = 20;

    public ExplainerModel Model { get; } = model;

    /// <summary>
    /// For Score-CAM ChannelScoringProgress events as its forward passes go; then ExplanationReady, each SliderFrame as
    /// soon as it is rendered (coarse to fine), and ExplanationCompleted.
    /// </summary>
    public async IAsyncEnumerable<ExplainEvent> ExplainAsync(
        ReadOnlyMemory<byte> imageBytes, ExplainSettings settings, [EnumeratorCancellation] CancellationToken ct = default)
    {
        var total = Stopwatch.StartNew();
        var prepared = await Task.Run(() => Prepare(imageBytes, settings), ct);

        var clock = Stopwatch.StartNew();
        var gradients = await Task.Run(() => ComputeGradients([prepared]), ct);
        var gradientMs = clock.Elapsed.TotalMilliseconds;

        float[]? channelScores = null;
        double scoringMs = 0;
        if (CamMethods.NeedsForwardPasses(settings.Method))
        {
            clock.Restart();
            var plan = PlanScoring(prepared, gradients, 0);
            yield return new ChannelScoringProgress(0, plan.Count);
            foreach (var run in plan.Runs(_options.MaxImagesPerRun))
            {
                plan.Record(run.First, await Task.Run(() => ScoreChannels(run), ct));
                var scored = run.First + run.Count;
                if (scored == plan.Count || (scored * ScoringProgressReports / plan.Count) > (run.First * ScoringProgressReports / plan.Count))
                {
                    yield return new ChannelScoringProgress(scored, plan.Count);
                }
            }
            channelScores = plan.Scores;
            scoringMs = clock.Elapsed.TotalMilliseconds;
        }

        var explanation = await Task.Run(() => Explain(prepared, gradients, 0, channelScores), ct);

        var frameCount = settings.FrameCount;
        var insertion = new float[frameCount];
        var deletion = settings.DeletionCurve ? new float[frameCount] : null;
        double framesInferenceMs = 0;
        var renderMs = explanation.HeatmapMs;
        var chunks = PlanFrameChunks(settings);
        // Pipelined: the first run of frames is inferred while the consumer writes the explanation, and each next
        // run while this run's frames are rendered, encoded and consumed (written to Redis by the worker), so the
        // first frames go out long before the last exist.
        Task<TimedFrameLogits>? next = PredictFramesAsync(explanation, chunks[0], ct);
        Task<TimedFrame>[]? renders = null;
        try
        {
            yield return explanation.ToReadyEvent();
            for (var c = 0; c < chunks.Count; c++)
            {
                var chunk = chunks[c];
                var (logits, inferenceMs) = await next!;
                framesInferenceMs += inferenceMs;
                next = c + 1 < chunks.Count ? PredictFramesAsync(explanation, chunks[c + 1], ct) : null;
                renders = _renderer.RendersInParallel ? _renderer.StartRenders(explanation, chunk, logits, ct) : null;
                for (var position = 0; position < chunk.Length; position++)
                {
                    ct.ThrowIfCancellationRequested();
                    SliderFrame frame;
                    if (renders is null)
                    {
                        clock.Restart();
                        frame = RenderFrame(explanation, chunk[position], logits.Insertion(position), logits.Deletion(position));
                        renderMs += clock.Elapsed.TotalMilliseconds;
                    }
                    else
                    {
                        (frame, var frameRenderMs) = await renders[position];
                        renderMs += frameRenderMs;
                    }
                    insertion[frame.Index] = frame.TargetProbability;
                    if (deletion is not null)
                    {
                        deletion[frame.Index] = frame.DeletionProbability ?? 0f;
                    }
                    yield return frame;
                }
            }
        }
        finally
        {
            // A consumer that stops early (cancellation, a failed write) must not leave a run using the buffers.
            if (next is not null)
            {
                await Task.WhenAny(next);
            }
            if (renders is not null)
            {
                await Task.WhenAny(Task.WhenAll(renders));
            }
        }

        var timings = new StageTimings
        {
            DecodeMs = prepared.PrepareMs,
            GradientMs = gradientMs,
            CamMs = explanation.CamMs + scoringMs,
            FramesInferenceMs = framesInferenceMs,
            RenderMs = renderMs,
            TotalMs = total.Elapsed.TotalMilliseconds,
        };
        yield return new ExplanationCompleted(
            CurveArea.Trapezoid(insertion), deletion is null ? null : CurveArea.Trapezoid(deletion), timings);
    }

    /// <summary>
    /// Builds the target layer's gradient session and runs both sessions once on a blank input, so that the
    /// first explanation's timings (and latency) are those of a warm worker; a layer that cannot be read as a
    /// grid (see <see cref="ExplainerModel.GridOf"/>) is refused here rather than at the first job.
    /// </summary>
    public void WarmUp(string? targetLayer = null)
    {
        var blank = new float[3 * Model.InputWidth * Model.InputHeight];
        var layer = string.IsNullOrEmpty(targetLayer) ? Model.DefaultTargetLayer : targetLayer;
        Model.Classifier.ForwardWithGradients(blank, 1, [-1], layer);
        Model.GridOf(layer);
        Model.Classifier.Forward(blank, 1);
    }

    /// <summary>The display frame of slider position <paramref name="index"/>, encoded, with its prediction.</summary>
    public SliderFrame RenderFrame(CamExplanation explanation, int index, ReadOnlySpan<float> insertionLogits, ReadOnlySpan<float> deletionLogits)
        => _renderer.Render(explanation, index, insertionLogits, deletionLogits);

    private async Task<TimedFrameLogits> PredictFramesAsync(CamExplanation explanation, int[] frameIndices, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var logits = await Task.Run(() => PredictFrames(explanation, frameIndices), ct);
        return new TimedFrameLogits(logits, clock.Elapsed.TotalMilliseconds);
    }

    private readonly record struct TimedFrameLogits(FrameLogits Logits, double InferenceMs);
}
