using System.Diagnostics;
using SaliencySlider.Engine.Inference;

namespace SaliencySlider.Engine.Explaining;

/// <summary>
/// How a job's classifier runs are scheduled: alone on the thread pool, or (with <see cref="ExplainerOptions.JobBatching"/>)
/// gathered with other running jobs' into one run by a <see cref="RunBatcher{TKey, TRequest, TResult}"/> per step.
/// </summary>
public sealed partial class Explainer
{
    private RunBatcher<(string Layer, bool Gradients), PreparedImage, (GradientBatch Batch, int Row)>? _gradientRuns;
    private RunBatcher<int, FrameRun, FrameLogits>? _frameRuns;
    private RunBatcher<int, ScoreRun, float[]>? _scoreRuns;

    private Task<(GradientBatch Batch, int Row)> ComputeGradientsAsync(PreparedImage image, CancellationToken ct)
    {
        if (_options.JobBatching is { } batching)
        {
            var runs = LazyInitializer.EnsureInitialized(ref _gradientRuns, () => new RunBatcher<(string, bool), PreparedImage, (GradientBatch, int)>(
                (_, images) =>
                {
                    var batch = ComputeGradients(images);
                    return [.. Enumerable.Range(0, images.Count).Select(row => (batch, row))];
                },
                _ => 1, batching.MaxJobs, batching.MaxWait, () => RunningJobs, batching.Time));
            return runs.RunAsync((image.TargetLayer, NeedsGradients(image)), image, ct);
        }
        return Task.Run(() => (ComputeGradients([image]), 0), ct);
    }

    private async Task<TimedFrameLogits> PredictFramesAsync(CamExplanation explanation, int[] frameIndices, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        FrameLogits logits;
        if (_options.JobBatching is { } batching)
        {
            var runs = LazyInitializer.EnsureInitialized(ref _frameRuns, () => new RunBatcher<int, FrameRun, FrameLogits>(
                (_, requests) => PredictFrames(requests),
                run => Math.Max(1, PlanRun(run).Inputs), _options.MaxImagesPerRun * batching.MaxJobs, batching.MaxWait, () => RunningJobs, batching.Time));
            logits = await runs.RunAsync(0, new FrameRun(explanation, frameIndices), ct);
        }
        else
        {
            logits = await Task.Run(() => PredictFrames(explanation, frameIndices), ct);
        }
        return new TimedFrameLogits(logits, clock.Elapsed.TotalMilliseconds);
    }

    private Task<float[]> ScoreAsync(ScoreRun run, CancellationToken ct)
    {
        if (_options.JobBatching is { } batching)
        {
            var runs = LazyInitializer.EnsureInitialized(ref _scoreRuns, () => new RunBatcher<int, ScoreRun, float[]>(
                (_, requests) => ScoreChannels(requests),
                request => request.Count, _options.MaxImagesPerRun * batching.MaxJobs, batching.MaxWait, () => Volatile.Read(ref _scoringJobs), batching.Time));
            return runs.RunAsync(0, run, ct);
        }
        return Task.Run(() => ScoreChannels([run])[0], ct);
    }

    private readonly record struct TimedFrameLogits(FrameLogits Logits, double InferenceMs);
}
