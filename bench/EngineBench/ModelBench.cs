using System.Diagnostics;
using SaliencySlider.Engine.Cam;
using SaliencySlider.Engine.Explaining;
using SaliencySlider.Engine.Inference;
using SaliencySlider.Engine.Models;
using SaliencySlider.Engine.Rendering;
using SkiaSharp;

namespace SaliencySlider.EngineBench;

/// <summary>Stage timings of the engine on one model and one image, all measured in the same process run.</summary>
internal sealed record ModelResult
{
    public required string Model { get; init; }
    public required string Layer { get; init; }
    public required Samples Forward { get; init; }
    public required Samples Gradient { get; init; }
    public required Samples FrameBatch { get; init; }
    public required Samples RenderPerFrame { get; init; }
    public required Samples Job { get; init; }
    public required Samples FirstFrame { get; init; }
    public CamAgreement? Agreement { get; init; }

    /// <summary>The engine's own stage timings of the timed jobs (median per stage).</summary>
    public required StageTimings JobStages { get; init; }

    /// <summary>One gradient run plus the F-frame forward batch: what a job cannot go below on this CPU.</summary>
    public double ComputeFloorMs => Gradient.Median + FrameBatch.Median;
}

/// <summary>Engine CAM against PyTorch's on the same input tensor and weights.</summary>
internal sealed record CamAgreement(double Cosine, double MaxRelativeError, bool SameTopClass);

internal static class ModelBench
{
    public static ModelResult Run(ModelEntry entry, string? layer, BenchOptions options, byte[] imageBytes, TorchBaseline? torch, string? torchName)
    {
        var settings = new ExplainSettings { FrameCount = options.Frames, TargetLayer = layer };
        var repeats = options.RepeatsFor(entry.Name);
        var allFrames = Enumerable.Range(0, options.Frames).ToArray();
        Samples forward, gradient, frameBatch, render;
        string targetLayer;
        // The runs alone (the compute floor) with ONNX Runtime's own default, intra-op threads spinning between runs, which
        // is its fastest for back-to-back runs; the jobs below with the engine's configuration (no spinning).
        using (var floorModel = ExplainerModel.Load(entry, new ClassifierModelOptions { Provider = ExecutionProviderPreference.Cpu, IntraOpThreads = options.Threads, IntraOpSpinning = true }))
        {
            var floorExplainer = new Explainer(floorModel);
            targetLayer = layer ?? floorModel.DefaultTargetLayer;
            floorExplainer.WarmUp(targetLayer);
            var prepared = floorExplainer.Prepare(imageBytes, settings);
            var input = prepared.InputTensor;
            var classifier = floorModel.Classifier;
            forward = Samples.Measure("forward", options.Warmup, repeats, () => classifier.Forward(input, 1));
            gradient = Samples.Measure("gradient", options.Warmup, repeats, () => classifier.ForwardWithGradients(input, 1, [-1], targetLayer));

            var explanation = floorExplainer.Explain(prepared, floorExplainer.ComputeGradients([prepared]), 0);
            frameBatch = Samples.Measure("frames", 1, Math.Max(3, repeats / 2), () => floorExplainer.PredictFrames(explanation, allFrames));

            var logits = floorExplainer.PredictFrames(explanation, allFrames);
            render = Samples.Measure("render", 1, Math.Max(3, repeats / 2), () =>
            {
                for (var i = 0; i < allFrames.Length; i++)
                {
                    floorExplainer.RenderFrame(explanation, allFrames[i], logits.Insertion(i), logits.Deletion(i));
                }
            });
        }
        var renderPerFrame = new Samples("render/frame", render.Milliseconds.Select(ms => ms / allFrames.Length).ToArray());

        using var model = ExplainerModel.Load(entry, new ClassifierModelOptions { Provider = ExecutionProviderPreference.Cpu, IntraOpThreads = options.Threads });
        var explainer = new Explainer(model);
        explainer.WarmUp(targetLayer);
        var jobs = new List<double>();
        var firstFrames = new List<double>();
        var stages = new List<StageTimings>();
        for (var i = 0; i < options.Warmup + Math.Max(3, repeats / 2); i++)
        {
            var (total, first, timings) = TimedJob.Run(explainer, imageBytes, settings);
            if (i >= options.Warmup)
            {
                jobs.Add(total);
                firstFrames.Add(first);
                stages.Add(timings);
            }
        }

        CamAgreement? agreement = null;
        if (torch is not null && torchName is not null)
        {
            agreement = Compare(model, targetLayer, torch, torchName);
        }

        return new ModelResult
        {
            Model = entry.Name,
            Layer = targetLayer,
            Forward = forward,
            Gradient = gradient,
            FrameBatch = frameBatch,
            RenderPerFrame = renderPerFrame,
            Job = new Samples("job", jobs),
            FirstFrame = new Samples("first frame", firstFrames),
            Agreement = agreement,
            JobStages = new StageTimings
            {
                DecodeMs = Samples.MedianOf(stages.Select(t => t.DecodeMs)),
                GradientMs = Samples.MedianOf(stages.Select(t => t.GradientMs)),
                CamMs = Samples.MedianOf(stages.Select(t => t.CamMs)),
                FramesInferenceMs = Samples.MedianOf(stages.Select(t => t.FramesInferenceMs)),
                RenderMs = Samples.MedianOf(stages.Select(t => t.RenderMs)),
                TotalMs = Samples.MedianOf(stages.Select(t => t.TotalMs)),
            },
        };
    }

    private static CamAgreement Compare(ExplainerModel model, string layer, TorchBaseline torch, string torchName)
    {
        var gradients = model.Classifier.ForwardWithGradients(torch.ProbeInput(), 1, [-1], layer);
        var maps = ActivationMaps.FromBatchRow(gradients, 0, model.GridOf(layer));
        var ours = CamMethods.For(CamMethodKind.GradCam).Compute(maps);
        var theirs = torch.Cam(torchName);
        if (ours.Length != theirs.Length)
        {
            throw new InvalidOperationException($"{torchName}: CAM sizes differ ({ours.Length} vs {theirs.Length})");
        }
        double dot = 0, ourNorm = 0, theirNorm = 0, maxDifference = 0, maxTheirs = 0;
        for (var i = 0; i < ours.Length; i++)
        {
            dot += ours[i] * (double)theirs[i];
            ourNorm += ours[i] * (double)ours[i];
            theirNorm += theirs[i] * (double)theirs[i];
            maxDifference = Math.Max(maxDifference, Math.Abs(ours[i] - theirs[i]));
            maxTheirs = Math.Max(maxTheirs, Math.Abs(theirs[i]));
        }
        var cosine = dot / Math.Sqrt(Math.Max(ourNorm * theirNorm, double.Epsilon));
        return new CamAgreement(cosine, maxDifference / Math.Max(maxTheirs, double.Epsilon), gradients.TargetClasses[0] == torch.Models[torchName].Top1);
    }

    /// <summary>Encoding time and size of one display frame per codec and quality (the engine uses Skia's encoders).</summary>
    public static IReadOnlyList<(string Codec, double Ms, int Bytes)> Codecs(ModelEntry entry, BenchOptions options, byte[] imageBytes)
    {
        using var model = ExplainerModel.Load(entry, new ClassifierModelOptions { Provider = ExecutionProviderPreference.Cpu, IntraOpThreads = options.Threads });
        var explainer = new Explainer(model);
        var prepared = explainer.Prepare(imageBytes, new ExplainSettings());
        var frame = Engine.Slider.DisplayFrameComposer.Compose(prepared.Display, prepared.DisplayBaseline,
            explainer.Explain(prepared, explainer.ComputeGradients([prepared]), 0).DisplayRanking, prepared.Display.Width * prepared.Display.Height / 2);
        var results = new List<(string, double, int)>();
        foreach (var (format, quality) in new[] { (FrameFormat.Jpeg, 85), (FrameFormat.Jpeg, 75), (FrameFormat.Webp, 80), (FrameFormat.Webp, 60), (FrameFormat.Png, 100) })
        {
            var bytes = ImageEncoder.Encode(frame, format, quality).Length;
            var samples = Samples.Measure("encode", 2, 15, () => ImageEncoder.Encode(frame, format, quality));
            results.Add(($"frame {format} q{quality} ({frame.Width}×{frame.Height})", samples.Median, bytes));
        }
        var explanation = explainer.Explain(prepared, explainer.ComputeGradients([prepared]), 0);
        var pixels = explanation.HeatmapPixels;
        foreach (var (level, filter) in new[]
        {
            (6, SKPngEncoderFilterFlags.AllFilters), (3, SKPngEncoderFilterFlags.AllFilters), (1, SKPngEncoderFilterFlags.AllFilters),
            (ImageEncoder.HeatmapZLibLevel, ImageEncoder.HeatmapFilter),
        })
        {
            var bytes = ImageEncoder.EncodeRgbaPng(frame.Width, frame.Height, pixels, level, filter).Length;
            var samples = Samples.Measure("heatmap", 2, 15, () => ImageEncoder.EncodeRgbaPng(frame.Width, frame.Height, pixels, level, filter));
            var role = (level, filter) == (ImageEncoder.HeatmapZLibLevel, ImageEncoder.HeatmapFilter) ? " (the engine's)" : level == 6 ? " (Skia's default)" : "";
            results.Add(($"heatmap RGBA PNG zlib {level}, {filter} filter{role}", samples.Median, bytes));
        }
        return results;
    }

    /// <summary>Fastest of <see cref="BenchOptions.StageRuns"/> runs of the CPU-side stages: what they cost without interference.</summary>
    public static (double Prepare, double Cam, double Heatmap, double RenderFrame) BestStageCosts(ModelEntry entry, BenchOptions options, byte[] imageBytes)
    {
        using var model = ExplainerModel.Load(entry, new ClassifierModelOptions { Provider = ExecutionProviderPreference.Cpu, IntraOpThreads = options.Threads });
        var explainer = new Explainer(model);
        double prepare = double.MaxValue, cam = double.MaxValue, heatmap = double.MaxValue, render = double.MaxValue;
        for (var i = 0; i < options.StageRuns; i++)
        {
            var clock = Stopwatch.StartNew();
            var prepared = explainer.Prepare(imageBytes, new ExplainSettings { FrameCount = options.Frames });
            prepare = Math.Min(prepare, clock.Elapsed.TotalMilliseconds);
            var explanation = explainer.Explain(prepared, explainer.ComputeGradients([prepared]), 0);
            cam = Math.Min(cam, explanation.CamMs);
            heatmap = Math.Min(heatmap, explanation.HeatmapMs);
            clock.Restart();
            explainer.RenderFrame(explanation, options.Frames / 2, explanation.FullImageLogits, []);
            render = Math.Min(render, clock.Elapsed.TotalMilliseconds);
        }
        return (prepare, cam, heatmap, render);
    }

    /// <summary>Forward time per image by batch size: what size of frame chunk the CPU prefers.</summary>
    public static IReadOnlyList<(int Batch, double MsPerImage)> BatchSweep(ModelEntry entry, BenchOptions options)
    {
        using var model = ExplainerModel.Load(entry, new ClassifierModelOptions { Provider = ExecutionProviderPreference.Cpu, IntraOpThreads = options.Threads });
        var plane = 3 * model.InputWidth * model.InputHeight;
        var rows = new List<(int, double)>();
        foreach (var batch in new[] { 1, 2, 4, 8, options.Frames })
        {
            var input = new float[plane * batch];
            var samples = Samples.Measure("batch", 1, Math.Max(3, options.Repeats / 2), () => model.Classifier.Forward(input, batch));
            rows.Add((batch, samples.Median / batch));
        }
        return rows;
    }

    /// <summary>Plain forward and gradient run of one model per intra-op thread count.</summary>
    public static IReadOnlyList<(int Threads, double ForwardMs, double GradientMs, double FramesMs)> ThreadSweep(ModelEntry entry, BenchOptions options, byte[] imageBytes)
    {
        var rows = new List<(int, double, double, double)>();
        foreach (var threads in new[] { 1, 2 })
        {
            using var model = ExplainerModel.Load(entry, new ClassifierModelOptions { Provider = ExecutionProviderPreference.Cpu, IntraOpThreads = threads });
            var explainer = new Explainer(model);
            explainer.WarmUp();
            var prepared = explainer.Prepare(imageBytes, new ExplainSettings { FrameCount = options.Frames });
            var input = prepared.InputTensor;
            var batch = new float[input.Length * options.Frames];
            var forward = Samples.Measure("forward", options.Warmup, options.Repeats, () => model.Classifier.Forward(input, 1));
            var gradient = Samples.Measure("gradient", options.Warmup, options.Repeats, () => model.Classifier.ForwardWithGradients(input, 1, [-1]));
            var frames = Samples.Measure("frames", 1, 3, () => model.Classifier.Forward(batch, options.Frames));
            rows.Add((threads, forward.Median, gradient.Median, frames.Median));
        }
        return rows;
    }
}
