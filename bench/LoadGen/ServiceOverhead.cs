using System.Diagnostics;
using System.Globalization;
using System.Text;
using SaliencySlider.Engine.Explaining;
using SaliencySlider.Engine.Inference;
using SaliencySlider.Engine.Models;
using SaliencySlider.EngineBench;

namespace SaliencySlider.LoadGen;

/// <summary>
/// The same jobs run in this process by the engine (as the CLI runs them) and through the service (Submit, then
/// StreamFrames to Completed) one after the other, alternating, so both see the same machine at the same time.
/// </summary>
internal sealed record SideBySide(IReadOnlyList<JobTimings> InProcess, IReadOnlyList<JobTimings> Service, int Threads)
{
    /// <summary>CPU seconds per job, summed over the jobs: in-process (this process), and through the service by process.</summary>
    public required (double InProcess, double Worker, double Gateway, double Redis, double Client) CpuSeconds { get; init; }

    public double InProcessComplete => Percentiles.Of(InProcess.Select(j => j.CompleteMs), 0.5);
    public double ServiceComplete => Percentiles.Of(Service.Select(j => j.CompleteMs), 0.5);
    public double InProcessFirstFrame => Percentiles.Of(InProcess.Select(j => j.FirstFrameMs), 0.5);
    public double ServiceFirstFrame => Percentiles.Of(Service.Select(j => j.FirstFrameMs), 0.5);
}

internal static class ServiceOverhead
{
    public static async Task<SideBySide> MeasureAsync(LoadOptions options, ServiceProcesses services, LoadClient client, DistinctImages images, int pairs, int threads)
    {
        var catalog = ModelCatalog.Load(Path.Combine(options.RepoRoot, "models"), options.ModelsDirectory);
        using var model = ExplainerModel.Load(catalog.Default, new ClassifierModelOptions { Provider = ExecutionProviderPreference.Cpu, IntraOpThreads = threads });
        var explainer = new Explainer(model);
        explainer.WarmUp(model.DefaultTargetLayer);
        var settings = new ExplainSettings();
        for (var i = 0; i < options.WarmUpJobs; i++)
        {
            Run(explainer, images.Next(), settings);
        }

        var inProcess = new List<JobTimings>();
        var service = new List<JobTimings>();
        var self = Process.GetCurrentProcess();
        double inProcessCpu = 0, workerCpu = 0, gatewayCpu = 0, redisCpu = 0, clientCpu = 0;
        for (var i = 0; i < pairs; i++)
        {
            var (engineImage, serviceImage) = images.NextPair();
            self.Refresh();
            var before = self.TotalProcessorTime;
            inProcess.Add(Run(explainer, engineImage, settings));
            self.Refresh();
            inProcessCpu += (self.TotalProcessorTime - before).TotalSeconds;
            before = self.TotalProcessorTime;
            var servicesBefore = ServiceCpu(services);
            var viaService = await client.ExplainAsync(serviceImage);
            var servicesAfter = ServiceCpu(services);
            self.Refresh();
            clientCpu += (self.TotalProcessorTime - before).TotalSeconds;
            workerCpu += servicesAfter.Worker - servicesBefore.Worker;
            gatewayCpu += servicesAfter.Gateway - servicesBefore.Gateway;
            redisCpu += servicesAfter.Redis - servicesBefore.Redis;
            if (viaService.Error is not null)
            {
                throw new BenchmarkFailedException($"service overhead: a job through the service failed: {viaService.Error}");
            }
            if (viaService.Frames != settings.FrameCount)
            {
                throw new BenchmarkFailedException($"service overhead: the service sent {viaService.Frames} frames, the engine job {settings.FrameCount}; the two do not run the same job");
            }
            viaService.Timeline = await FirstFrameTimeline.ReadAsync(services.Redis!.GetDatabase(), viaService);
            service.Add(viaService);
        }
        var result = new SideBySide(inProcess, service, threads) { CpuSeconds = (inProcessCpu / pairs, workerCpu / pairs, gatewayCpu / pairs, redisCpu / pairs, clientCpu / pairs) };
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"service overhead: complete p50 service {result.ServiceComplete:F0} ms, in-process {result.InProcessComplete:F0} ms; first frame p50 {result.ServiceFirstFrame:F0} / {result.InProcessFirstFrame:F0} ms"));
        return result;
    }

    public static void AppendMarkdown(StringBuilder s, SideBySide run)
    {
        var ratio = run.ServiceComplete / run.InProcessComplete;
        s.AppendLine(Invariant($"**Service against the engine in-process** ({run.Service.Count} jobs each, alternating: the engine in the load generator's process as the CLI runs it, {run.Threads} intra-op threads, default options; then the same photo through gateway + Redis + one idle worker with as many threads, one client): complete p50 **{run.ServiceComplete:F0} ms** through the service against **{run.InProcessComplete:F0} ms** in-process = **{ratio:F2}×** (target ≤ 1.2×); first frame p50 {run.ServiceFirstFrame:F0} ms = **{run.ServiceFirstFrame / run.ServiceComplete:F2} of the job** through the service (target ≤ 0.3), {run.InProcessFirstFrame:F0} ms = {run.InProcessFirstFrame / run.InProcessComplete:F2} of the job in-process."));
        s.AppendLine();
        s.AppendLine("Where the difference goes (medians over the same jobs; the engine's own stage timings, in the worker as it reports them in `Completed.timings`, in-process as the explainer reports them; \"outside the engine\" is the client's complete time less the worker's queue wait and engine total: Submit and its validation, the hand-offs through Redis and the last events' delivery):");
        s.AppendLine();
        s.AppendLine("| ms | in-process | through the service | service − in-process |");
        s.AppendLine("|---|---:|---:|---:|");
        foreach (var (name, stage) in Stages)
        {
            var local = MedianOf(run.InProcess, stage);
            var remote = MedianOf(run.Service, stage);
            s.AppendLine(Invariant($"| {name} | {local:F1} | {remote:F1} | {remote - local:+0.0;-0.0;0.0} |"));
        }
        var queue = Percentiles.Of(run.Service.Select(j => j.QueueMs), 0.5);
        var outside = Percentiles.Of(run.Service.Select(j => j.CompleteMs - j.QueueMs - (j.Stages?.TotalMs ?? 0)), 0.5);
        var localOutside = Percentiles.Of(run.InProcess.Select(j => j.CompleteMs - (j.Stages?.TotalMs ?? 0)), 0.5);
        s.AppendLine(Invariant($"| queue wait (Submit → a worker starts it) | 0 | {queue:F1} | {queue:+0.0;-0.0;0.0} |"));
        s.AppendLine(Invariant($"| outside the engine | {localOutside:F1} | {outside:F1} | {outside - localOutside:+0.0;-0.0;0.0} |"));
        s.AppendLine(Invariant($"| complete (client) | {run.InProcessComplete:F1} | {run.ServiceComplete:F1} | {run.ServiceComplete - run.InProcessComplete:+0.0;-0.0;0.0} |"));
        s.AppendLine();
        var cpu = run.CpuSeconds;
        s.AppendLine(Invariant($"CPU per job (user + system, means; /proc tick resolution 10 ms): in-process {cpu.InProcess * 1000:F0} ms; through the service the worker {cpu.Worker * 1000:F0} ms, the gateway {cpu.Gateway * 1000:F0} ms, Redis {cpu.Redis * 1000:F0} ms and the client receiving the stream {cpu.Client * 1000:F0} ms, all on the same {Environment.ProcessorCount} cores as the worker's inference."));
        s.AppendLine();
        FirstFrameTimeline.AppendMarkdown(s, run.Service);
        s.AppendLine(Invariant($"Side-by-side samples, complete ms (in-process / service): {string.Join(" ", run.InProcess.Zip(run.Service, (a, b) => $"{a.CompleteMs:F0}/{b.CompleteMs:F0}"))}"));
    }

    private static (double Worker, double Gateway, double Redis) ServiceCpu(ServiceProcesses services) => (
        services.CpuSecondsOf(ServiceProcesses.IsWorker),
        services.CpuSecondsOf(name => name == "gateway"),
        services.CpuSecondsOf(name => name == "redis"));

    private static readonly (string Name, Func<StageTimings, double> Of)[] Stages =
    [
        ("decode", t => t.DecodeMs),
        ("gradient run", t => t.GradientMs),
        ("CAM", t => t.CamMs),
        ("frames inference", t => t.FramesInferenceMs),
        ("render (summed)", t => t.RenderMs),
        ("engine total", t => t.TotalMs),
    ];

    private static double MedianOf(IEnumerable<JobTimings> jobs, Func<StageTimings, double> stage) =>
        Percentiles.Of(jobs.Where(j => j.Stages is not null).Select(j => stage(j.Stages!)), 0.5);

    private static JobTimings Run(Explainer explainer, byte[] image, ExplainSettings settings)
    {
        var (total, first, stages) = TimedJob.Run(explainer, image, settings);
        return new JobTimings("", first, total, settings.FrameCount, 0, false, null) { Stages = stages };
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
