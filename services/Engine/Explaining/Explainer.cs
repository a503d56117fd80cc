using System.Buffers;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using SaliencySlider.Engine.Cam;
using SaliencySlider.Engine.Imaging;
using SaliencySlider.Engine.Inference;
using SaliencySlider.Engine.Models;
using SaliencySlider.Engine.Rendering;
using SaliencySlider.Engine.Slider;

namespace SaliencySlider.Engine.Explaining;

/// <summary>
/// Explains images with one loaded model: prepare (decode, preprocess) → one gradient run → CAM → slider
/// frames predicted in coarse-to-fine chunks and rendered. The steps are public so a scheduler can batch the
/// gradient runs and frame runs of several jobs; <see cref="ExplainAsync"/> runs them for one image.
/// </summary>
public sealed class Explainer(ExplainerModel model, ExplainerOptions? options = null)
{
    private readonly ExplainerOptions _options = options ?? new ExplainerOptions();
    private readonly FrameRenderer _renderer = new(model, options ?? new ExplainerOptions());
    private int _runningJobs;
    private RunBatcher<(string Layer, bool Gradients), PreparedImage, (GradientBatch Batch, int Row)>? _gradientRuns;
    private RunBatcher<int, FrameRun, FrameLogits>? _frameRuns;
    private RunBatcher<int, ScoreRun, float[]>? _scoreRuns;
    private int _scoringJobs;

    /// <summary>Most progress events of one Score-CAM job (besides the first, 0 of K).</summary>
    private const int ScoringProgressReports = 20;

    public ExplainerModel Model { get; } = model;

    /// <summary>Jobs inside <see cref="ExplainAsync"/> right now (those a batched run can wait for).</summary>
    public int RunningJobs => Volatile.Read(ref _runningJobs);

    /// <summary>
    /// For Score-CAM ChannelScoringProgress events as its forward passes go; then ExplanationReady, each SliderFrame as
    /// soon as it is rendered (coarse to fine), and ExplanationCompleted.
    /// </summary>
    public async IAsyncEnumerable<ExplainEvent> ExplainAsync(
        ReadOnlyMemory<byte> imageBytes, ExplainSettings settings, [EnumeratorCancellation] CancellationToken ct = default)
    {
        var total = Stopwatch.StartNew();
        Interlocked.Increment(ref _runningJobs);
        // A Score-CAM job counts as one that may join runs of masked inputs from its start, as every job counts for frame runs.
        var scoring = CamMethods.NeedsForwardPasses(settings.Method) ? 1 : 0;
        Interlocked.Add(ref _scoringJobs, scoring);
        try
        {
            var prepared = await Task.Run(() => Prepare(imageBytes, settings), ct);

            var clock = Stopwatch.StartNew();
            var (gradients, row) = await ComputeGradientsAsync(prepared, ct);
            var gradientMs = clock.Elapsed.TotalMilliseconds;

            float[]? channelScores = null;
            double scoringMs = 0;
            if (scoring == 1)
            {
                clock.Restart();
                var plan = PlanScoring(prepared, gradients, row);
                yield return new ChannelScoringProgress(0, plan.Count);
                foreach (var run in plan.Runs(_options.MaxImagesPerRun))
                {
                    plan.Record(run.First, await ScoreAsync(run, ct));
                    var scored = run.First + run.Count;
                    if (scored == plan.Count || (scored * ScoringProgressReports / plan.Count) > (run.First * ScoringProgressReports / plan.Count))
                    {
                        yield return new ChannelScoringProgress(scored, plan.Count);
                    }
                }
                Interlocked.Add(ref _scoringJobs, -scoring);
                scoring = 0;
                channelScores = plan.Scores;
                scoringMs = clock.Elapsed.TotalMilliseconds;
            }

            var explanation = await Task.Run(() => Explain(prepared, gradients, row, channelScores), ct);
            yield return explanation.ToReadyEvent();

            var frameCount = settings.FrameCount;
            var insertion = new float[frameCount];
            var deletion = settings.DeletionCurve ? new float[frameCount] : null;
            double framesInferenceMs = 0;
            var renderMs = explanation.HeatmapMs;
            var chunks = PlanFrameChunks(settings);
            // Pipelined: the next run of frames is inferred while this run's frames are rendered, encoded and
            // consumed (written to Redis by the worker), so the first frames go out long before the last exist.
            Task<TimedFrameLogits>? next = PredictFramesAsync(explanation, chunks[0], ct);
            Task<TimedFrame>[]? renders = null;
            try
            {
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
        finally
        {
            Interlocked.Add(ref _scoringJobs, -scoring);
            Interlocked.Decrement(ref _runningJobs);
        }
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

    /// <summary>Validates the settings, decodes the image and builds the model input, the display image and the baselines.</summary>
    public PreparedImage Prepare(ReadOnlyMemory<byte> imageBytes, ExplainSettings settings)
    {
        var clock = Stopwatch.StartNew();
        ExplainSettingsValidator.Validate(settings, Model.ClassCount);
        var manifest = Model.Manifest;
        var image = ImageDecoder.Decode(imageBytes.Span);
        var view = ModelView.For(image, manifest);
        var modelInput = ImageResampler.Resample(image, view, manifest.InputWidth, manifest.InputHeight);
        var (displayWidth, displayHeight) = ImageResampler.FitWithin(view.Width, view.Height, settings.MaxFrameSide);
        var display = ImageResampler.Resample(image, view, displayWidth, displayHeight);
        return new PreparedImage
        {
            Settings = settings,
            TargetLayer = string.IsNullOrEmpty(settings.TargetLayer) ? Model.DefaultTargetLayer : settings.TargetLayer,
            ImageWidth = image.Width,
            ImageHeight = image.Height,
            View = view,
            ModelInput = modelInput,
            InputTensor = TensorConverter.ToTensor(modelInput, manifest),
            BaselineTensor = TensorConverter.ToTensor(Baseline(modelInput, settings.Baseline), manifest),
            Display = display,
            DisplayBaseline = Baseline(display, settings.Baseline),
            PrepareMs = clock.Elapsed.TotalMilliseconds,
        };
    }

    /// <summary>
    /// One classifier run returning logits, activations and gradients for every image (all with the same target
    /// layer); the gradients are zeros when no image's method needs them.
    /// </summary>
    public GradientBatch ComputeGradients(IReadOnlyList<PreparedImage> images)
    {
        if (images.Count == 0)
        {
            throw new ArgumentException("no images", nameof(images));
        }
        var layer = images[0].TargetLayer;
        _options.GradientRunStarting?.Invoke(images.Count);
        if (images.Any(i => i.TargetLayer != layer))
        {
            throw new ArgumentException("images of one gradient run must share the target layer", nameof(images));
        }
        var plane = images[0].InputTensor.Length;
        var input = new float[plane * images.Count];
        var targets = new int[images.Count];
        for (var i = 0; i < images.Count; i++)
        {
            images[i].InputTensor.CopyTo(input, i * plane);
            targets[i] = images[i].Settings.TargetClass ?? -1;
        }
        return Model.Classifier.ForwardWithGradients(input, images.Count, targets, layer, images.Any(NeedsGradients));
    }

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
        var cam = method.Compute(maps);
        var manifest = Model.Manifest;
        var inputSaliency = CamUpsampler.Bilinear(cam, maps.Height, maps.Width, manifest.InputHeight, manifest.InputWidth);
        var display = image.Display;
        var displaySaliency = CamUpsampler.Bilinear(cam, maps.Height, maps.Width, display.Height, display.Width);
        var inputRanking = SaliencyRanking.FromSaliency(inputSaliency);
        var displayRanking = SaliencyRanking.FromSaliency(displaySaliency);
        var normalized = CamUpsampler.MinMaxNormalize(displaySaliency);
        var camMs = clock.Elapsed.TotalMilliseconds;

        clock.Restart();
        var heatmapPixels = HeatmapRenderer.HeatmapPixels(normalized);
        var heatmapPng = ImageEncoder.EncodeRgbaPng(display.Width, display.Height, heatmapPixels);
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
            InputRanking = inputRanking,
            DisplayRanking = displayRanking,
            DisplaySaliency = normalized,
            HeatmapPixels = heatmapPixels,
            HeatmapPng = heatmapPng,
            Steps = CamSteps.Of(method, maps),
            CamMs = camMs,
            HeatmapMs = clock.Elapsed.TotalMilliseconds,
        };
    }

    /// <summary>
    /// Score-CAM's channels for row <paramref name="row"/> of a (forward-only) gradient run: the settings' cap, or
    /// <see cref="ScoreCam.DefaultChannelCap"/> for this model's execution provider.
    /// </summary>
    public ChannelScoring PlanScoring(PreparedImage image, GradientBatch gradients, int row)
    {
        var maps = ActivationMaps.FromBatchRow(gradients, row, Model.GridOf(image.TargetLayer));
        var cap = image.Settings.ScoreCamChannels ?? ScoreCam.DefaultChannelCap(Model.Classifier.ExecutionProvider);
        return new ChannelScoring(image, maps, gradients.TargetClasses[row], Model.InputHeight, Model.InputWidth, cap);
    }

    /// <summary>Scores every channel of <paramref name="scoring"/> in runs of <see cref="ExplainerOptions.MaxImagesPerRun"/>; returns <see cref="ChannelScoring.Scores"/>.</summary>
    public float[] ScoreChannels(ChannelScoring scoring)
    {
        foreach (var run in scoring.Runs(_options.MaxImagesPerRun))
        {
            scoring.Record(run.First, ScoreChannels([run])[0]);
        }
        return scoring.Scores;
    }

    /// <summary>The masked inputs of several jobs (or chunks) in one classifier run, as frames are run; each request's target logits.</summary>
    public IReadOnlyList<float[]> ScoreChannels(IReadOnlyList<ScoreRun> runs)
    {
        var plane = 3 * Model.InputWidth * Model.InputHeight;
        var total = runs.Sum(r => r.Count);
        _options.ScoreRunStarting?.Invoke(total);
        var input = ArrayPool<float>.Shared.Rent(total * plane);
        float[] logits;
        try
        {
            var offset = 0;
            foreach (var run in runs)
            {
                run.Scoring.WriteInputs(run.First, run.Count, input.AsSpan(offset * plane, run.Count * plane));
                offset += run.Count;
            }
            logits = RunForward(input.AsSpan(0, total * plane), total);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(input);
        }

        var classCount = Model.ClassCount;
        var results = new float[runs.Count][];
        var row = 0;
        for (var i = 0; i < runs.Count; i++)
        {
            var target = runs[i].Scoring.TargetClass;
            results[i] = new float[runs[i].Count];
            for (var j = 0; j < runs[i].Count; j++, row++)
            {
                results[i][j] = logits[(row * classCount) + target];
            }
        }
        return results;
    }

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

    /// <summary>Forward pass over a batch, one image at a time when the model cannot batch.</summary>
    public float[] RunForward(ReadOnlySpan<float> input, int images)
    {
        var classifier = Model.Classifier;
        if (classifier.SupportsBatching || images == 1)
        {
            return classifier.Forward(input, images);
        }
        var plane = input.Length / images;
        var logits = new float[images * classifier.ClassCount];
        for (var i = 0; i < images; i++)
        {
            classifier.Forward(input.Slice(i * plane, plane), 1).CopyTo(logits, i * classifier.ClassCount);
        }
        return logits;
    }

    /// <summary>The display frame of slider position <paramref name="index"/>, encoded, with its prediction.</summary>
    public SliderFrame RenderFrame(CamExplanation explanation, int index, ReadOnlySpan<float> insertionLogits, ReadOnlySpan<float> deletionLogits)
        => _renderer.Render(explanation, index, insertionLogits, deletionLogits);

    private static bool NeedsGradients(PreparedImage image) => CamMethods.NeedsGradients(image.Settings.Method);

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
