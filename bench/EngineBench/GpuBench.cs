using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using SaliencySlider.Engine.Cam;
using SaliencySlider.Engine.Explaining;
using SaliencySlider.Engine.Inference;
using SaliencySlider.Engine.Models;

namespace SaliencySlider.EngineBench;

/// <summary>
/// Issue 16's GPU item, in-process on a CUDA machine (bench/gpu/engine.sh runs it there): the default model's raw
/// batched forward throughput through ONNX Runtime, then whole jobs per second at several concurrencies against it,
/// with the CPU time they take; then the bench models' job times on CUDA and their CAMs against CPU's.
/// </summary>
internal static class GpuBench
{
    /// <summary>
    /// One way of running a worker's jobs: C at once (Worker__Concurrency), frames run in pieces of P images, and R
    /// threads rendering frames for all of them (0: the engine's default on CUDA).
    /// </summary>
    private sealed record JobConfig(int Concurrency, int ForwardPiece = 8, int RenderThreads = 0, int Frames = 0)
    {
        public string Label => $"{Concurrency} at once" + (ForwardPiece != 8 ? $", forward pieces of {ForwardPiece}" : "")
            + (RenderThreads > 0 ? $", {RenderThreads} render threads" : "") + (Frames > 0 ? $", {Frames} frames" : "");
    }

    private static readonly JobConfig[] Configs =
    [
        new(1), new(2), new(4), new(8), new(12), new(16), new(32),
        new(8, RenderThreads: 15), new(16, RenderThreads: 15), new(1, ForwardPiece: 32),
    ];

    /// <summary>
    /// <c>--gpu-profile</c>: where a GPU job's CPU goes, from how its CPU time changes with the frame count (the jobs
    /// table alone; run it under different runtime settings to compare them).
    /// </summary>
    private static readonly JobConfig[] ProfileConfigs = [new(1), new(8), new(8, Frames: 11), new(8, Frames: 5), new(16)];

    private static readonly int[] ForwardBatches = [1, 8, 21, 32, 64, 128, 256];

    public static int Run(BenchOptions options)
    {
        var provider = options.GpuProvider;
        var images = Directory.GetFiles(Path.GetDirectoryName(Path.GetFullPath(options.Image))!).Order(StringComparer.Ordinal).Select(File.ReadAllBytes).ToArray();
        var entry = ModelCatalog.Load(options.ManifestDirectory, options.ModelsDirectory).Default;
        var duration = TimeSpan.FromSeconds(options.GpuSeconds);
        var report = new StringBuilder();
        report.AppendLine(CultureInfo.InvariantCulture, $"{MachineInfo.Describe()}; provider {provider}; {images.Length} photos in turn; {options.Frames} frames");

        var cuda = new ClassifierModelOptions { Provider = provider };
        var bestImagesPerSecond = options.GpuProfile ? 0 : RawForward(entry, cuda, images[0], report);

        // A job runs the gradient run's image and every frame but the 100 % one (it reuses the gradient run's logits).
        var imagesPerJob = options.Frames;
        var ceiling = bestImagesPerSecond / imagesPerJob;
        var rawRate = bestImagesPerSecond > 0
            ? string.Create(CultureInfo.InvariantCulture, $"; {imagesPerJob} classifier images per job, so the raw rate allows {ceiling:F0} jobs/s")
            : "";
        report.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"Jobs ({duration.TotalSeconds:F0} s each after one job per slot{rawRate}):").AppendLine();
        report.AppendLine("| jobs | jobs/s | of the raw rate | job p50 ms | p90 ms | CPU s per job | cores busy | prepare ms | gradient ms | frames inference ms | MiB allocated per job | GCs per 100 jobs (gen 0 / 2) |");
        report.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var group in (options.GpuProfile ? ProfileConfigs : Configs).GroupBy(c => c.ForwardPiece))
        {
            using var model = Load(entry, cuda with { FixedForwardBatch = group.Key });
            foreach (var config in group)
            {
                var r = RunJobs(model, config, images, options.Frames, duration);
                report.AppendLine(CultureInfo.InvariantCulture,
                    $"| {config.Label} | {r.JobsPerSecond:F1} | {(bestImagesPerSecond > 0 ? (r.JobsPerSecond / ceiling).ToString("P1", CultureInfo.InvariantCulture) : "—")} | {r.Latency.Median:F0} | {r.Latency.Percentile(0.9):F0} | {r.CpuSecondsPerJob:F3} | {r.JobsPerSecond * r.CpuSecondsPerJob:F1} | {r.PrepareMs:F1} | {r.GradientMs:F1} | {r.FramesMs:F1} | {r.AllocatedMiBPerJob:F1} | {r.Gen0Per100:F0} / {r.Gen2Per100:F1} |");
                Console.WriteLine($"{config.Label}: {r.JobsPerSecond:F1} jobs/s, p50 {r.Latency.Median:F0} ms");
            }
        }

        if (options.GpuProfile)
        {
            return Write(report, options);
        }

        var torch = TorchBaseline.Load(options.TorchDirectory);
        report.AppendLine().AppendLine("One job at a time, and the CAM of the bench's probe input against CPU's (max |difference| / max |CPU|):").AppendLine();
        report.AppendLine("| model | job p50 ms | first frame ms | prepare ms | gradient ms | CAM ms | frames inference ms | render ms | CAM vs CPU | same class |");
        report.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|");
        report.AppendLine(SoloJobs(entry, null, cuda, images[0], options, probe: null));
        foreach (var result in torch?.Models.Values.ToArray() ?? [])
        {
            report.AppendLine(SoloJobs(ModelEntry.FromBareOnnx(Path.Combine(torch!.Directory, result.Onnx)), result.TargetLayer, cuda, images[0], options, torch.ProbeInput()));
        }
        return Write(report, options);
    }

    private static int Write(StringBuilder report, BenchOptions options)
    {
        Console.WriteLine(report);
        if (options.Document is not null)
        {
            File.WriteAllText(options.Document, report.ToString());
        }
        return 0;
    }

    /// <summary>The model's forward passes alone, one run of the whole batch per batch size; the best images/s.</summary>
    private static double RawForward(ModelEntry entry, ClassifierModelOptions cuda, byte[] photo, StringBuilder report)
    {
        using var model = Load(entry, cuda with { FixedForwardBatch = 0 });
        report.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"Raw forward ({entry.Name}, one run of the whole batch, host copies included):").AppendLine();
        report.AppendLine("| batch | ms per run | images/s |").AppendLine("|---:|---:|---:|");
        var plane = 3 * model.InputWidth * model.InputHeight;
        var image = new Explainer(model).Prepare(photo, new ExplainSettings()).InputTensor;
        double best = 0;
        foreach (var batch in ForwardBatches)
        {
            var input = new float[plane * batch];
            for (var i = 0; i < batch; i++)
            {
                image.CopyTo(input.AsSpan(i * plane));
            }
            var ms = TimeRuns(() => model.Classifier.Forward(input, batch), minimumRuns: 10, minimumSeconds: 0.5);
            var rate = batch * 1000 / ms;
            best = Math.Max(best, rate);
            report.AppendLine(CultureInfo.InvariantCulture, $"| {batch} | {ms:F2} | {rate:F0} |");
            Console.WriteLine($"forward batch {batch}: {ms:F2} ms");
        }
        return best;
    }

    private static ExplainerModel Load(ModelEntry entry, ClassifierModelOptions options)
    {
        var model = ExplainerModel.Load(entry, options);
        if (options.Provider == ExecutionProviderPreference.Cuda && model.Classifier.ExecutionProvider != "CUDA")
        {
            model.Dispose();
            throw new InvalidOperationException($"{entry.Name} did not load on CUDA");
        }
        return model;
    }

    /// <summary>Mean milliseconds of a run, after 3 warm-up runs, over at least this many runs and seconds.</summary>
    private static double TimeRuns(Action run, int minimumRuns, double minimumSeconds)
    {
        for (var i = 0; i < 3; i++)
        {
            run();
        }
        var clock = Stopwatch.StartNew();
        var runs = 0;
        while (runs < minimumRuns || clock.Elapsed.TotalSeconds < minimumSeconds)
        {
            run();
            runs++;
        }
        return clock.Elapsed.TotalMilliseconds / runs;
    }

    private sealed record JobsResult(double JobsPerSecond, Samples Latency, double CpuSecondsPerJob, double PrepareMs, double GradientMs, double FramesMs)
    {
        public double AllocatedMiBPerJob { get; init; }
        public double Gen0Per100 { get; init; }
        public double Gen2Per100 { get; init; }
    }

    private static JobsResult RunJobs(ExplainerModel model, JobConfig config, byte[][] images, int frames, TimeSpan duration)
    {
        var explainer = new Explainer(model, new ExplainerOptions
        {
            RenderThreads = config.RenderThreads > 0 ? config.RenderThreads : ExplainerOptions.DefaultRenderThreads(model.Classifier.ExecutionProvider),
        });
        explainer.WarmUp();
        var settings = new ExplainSettings { FrameCount = config.Frames > 0 ? config.Frames : frames };
        var warmUp = Stopwatch.StartNew();
        Slots(config.Concurrency, slot => Job(explainer, images[slot % images.Length], settings));
        Console.WriteLine($"  warm-up {warmUp.Elapsed.TotalSeconds:F1} s");

        var latencies = new ConcurrentBag<(double Ms, StageTimings Stages)>();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var (allocated, gen0, gen2) = (GC.GetTotalAllocatedBytes(), GC.CollectionCount(0), GC.CollectionCount(2));
        var clock = Stopwatch.StartNew();
        Slots(config.Concurrency, slot =>
        {
            for (var i = slot; clock.Elapsed < duration; i += config.Concurrency)
            {
                var start = clock.Elapsed;
                var stages = Job(explainer, images[i % images.Length], settings);
                latencies.Add(((clock.Elapsed - start).TotalMilliseconds, stages));
            }
        });
        var wall = clock.Elapsed.TotalSeconds;
        var cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
        var jobs = latencies.ToArray();
        var perJob = 1.0 / jobs.Length;
        return new JobsResult(jobs.Length / wall, new Samples("job", jobs.Select(j => j.Ms).ToArray()), cpuSeconds / jobs.Length,
            Samples.MedianOf(jobs.Select(j => j.Stages.DecodeMs)), Samples.MedianOf(jobs.Select(j => j.Stages.GradientMs)), Samples.MedianOf(jobs.Select(j => j.Stages.FramesInferenceMs)))
        {
            AllocatedMiBPerJob = (GC.GetTotalAllocatedBytes() - allocated) * perJob / (1 << 20),
            Gen0Per100 = (GC.CollectionCount(0) - gen0) * perJob * 100,
            Gen2Per100 = (GC.CollectionCount(2) - gen2) * perJob * 100,
        };
    }

    private static void Slots(int count, Action<int> slot)
        => Task.WaitAll(Enumerable.Range(0, count).Select(i => Task.Factory.StartNew(() => slot(i), TaskCreationOptions.LongRunning)).ToArray());

    private static StageTimings Job(Explainer explainer, byte[] image, ExplainSettings settings)
    {
        var frames = 0;
        StageTimings? stages = null;
        foreach (var e in explainer.ExplainAsync(image, settings).ToBlockingEnumerable())
        {
            frames += e is SliderFrame ? 1 : 0;
            stages = e is ExplanationCompleted completed ? completed.Timings : stages;
        }
        return frames == settings.FrameCount && stages is not null
            ? stages
            : throw new InvalidOperationException($"the job produced {frames} frames, expected {settings.FrameCount}");
    }

    private static string SoloJobs(ModelEntry entry, string? layer, ClassifierModelOptions cuda, byte[] image, BenchOptions options, float[]? probe)
    {
        using var model = Load(entry, cuda with { FixedForwardBatch = 8 });
        var explainer = new Explainer(model, new ExplainerOptions { RenderThreads = ExplainerOptions.DefaultRenderThreads(model.Classifier.ExecutionProvider) });
        var targetLayer = layer ?? model.DefaultTargetLayer;
        explainer.WarmUp(targetLayer);
        var settings = new ExplainSettings { FrameCount = options.Frames, TargetLayer = targetLayer };
        var jobs = new List<(double Total, double First, StageTimings Stages)>();
        for (var i = 0; i < 8; i++)
        {
            var job = TimedJob.Run(explainer, image, settings);
            if (i >= 2)
            {
                jobs.Add(job);
            }
        }

        var input = probe ?? explainer.Prepare(image, settings).InputTensor;
        var (agreement, same) = ("—", "—");
        if (cuda.Provider != ExecutionProviderPreference.Cpu)
        {
            using var cpu = ExplainerModel.Load(entry, new ClassifierModelOptions { Provider = ExecutionProviderPreference.Cpu });
            var ours = model.Classifier.ForwardWithGradients(input, 1, [-1], targetLayer);
            var theirs = cpu.Classifier.ForwardWithGradients(input, 1, [-1], targetLayer);
            var camOurs = CamMethods.For(CamMethodKind.GradCam).Compute(ActivationMaps.FromBatchRow(ours, 0, model.GridOf(targetLayer)));
            var camTheirs = CamMethods.For(CamMethodKind.GradCam).Compute(ActivationMaps.FromBatchRow(theirs, 0, cpu.GridOf(targetLayer)));
            var difference = camOurs.Zip(camTheirs, (a, b) => Math.Abs(a - b)).Max() / Math.Max(camTheirs.Max(v => Math.Abs(v)), float.Epsilon);
            (agreement, same) = (difference.ToString("0.0e0", CultureInfo.InvariantCulture), ours.TargetClasses[0] == theirs.TargetClasses[0] ? "yes" : "no");
        }
        double Median(Func<(double Total, double First, StageTimings Stages), double> of) => Samples.MedianOf(jobs.Select(of));
        return string.Create(CultureInfo.InvariantCulture,
            $"| {entry.Name} | {Median(j => j.Total):F1} | {Median(j => j.First):F1} | {Median(j => j.Stages.DecodeMs):F1} | {Median(j => j.Stages.GradientMs):F1} | {Median(j => j.Stages.CamMs):F1} | {Median(j => j.Stages.FramesInferenceMs):F1} | {Median(j => j.Stages.RenderMs):F1} | {agreement} | {same} |");
    }
}
