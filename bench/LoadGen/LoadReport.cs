using System.Globalization;
using System.Text;
using SaliencySlider.Engine.Explaining;
using SaliencySlider.EngineBench;

namespace SaliencySlider.LoadGen;

internal sealed record LoadPhase(string Name, IReadOnlyList<JobTimings> Jobs, double WallMs, double WorkerCpuSecondsPerJob, double ServiceCpuSecondsPerJob)
{
    private IEnumerable<JobTimings> Succeeded => Jobs.Where(j => j.Error is null);

    public int Errors => Jobs.Count(j => j.Error is not null);

    public double JobsPerSecond => Succeeded.Count() / (WallMs / 1000);

    public double FirstFrame(double q) => Percentiles.Of(Succeeded.Select(j => j.FirstFrameMs), q);

    public double Complete(double q) => Percentiles.Of(Succeeded.Select(j => j.CompleteMs), q);
}

/// <summary>The service section of docs/PERFORMANCE.md.</summary>
internal sealed class LoadReport(LoadOptions options, IReadOnlyList<(string Key, string Value)> gatewayLimits)
{
    public List<LoadPhase> Phases { get; } = [];
    public IReadOnlyList<JobTimings> CacheHits { get; set; } = [];
    public (IReadOnlyList<JobTimings> Results, double WallMs) Streaming { get; set; } = ([], 0);
    /// <summary>Each worker configuration's largest worker (VmHWM), in the order they ran.</summary>
    public List<(string Workers, double MiB)> WorkerPeakRss { get; } = [];
    public double GatewayPeakRssMiB { get; set; }
    public SideBySide? SideBySide { get; set; }

    public string Markdown()
    {
        var s = new StringBuilder();
        s.AppendLine(MachineInfo.GeneratedBy(options.Command, options.RepoRoot));
        s.AppendLine();
        s.AppendLine(Invariant($"Machine: {MachineInfo.Describe()}; load average at the end: {MachineInfo.LoadAverage()}."));
        s.AppendLine(Invariant($"Setup: redis-server, one gateway and the workers as separate Release processes on loopback (started by the load generator; each worker serves every model in `{options.ModelsDirectory}`); default model, default options ({ExplainLimits.DefaultFrameCount} frames, {ExplainLimits.DefaultFormat.ToString().ToUpperInvariant()}, ≤ {ExplainLimits.DefaultMaxFrameSide} px); {options.Jobs} distinct JPEG photos per phase (made byte-distinct so the cache cannot answer) from {options.Clients} concurrent clients (Submit, then StreamFrames to Completed); times from the Submit call. The load generator is one client, so the gateway runs with its per-client limits lifted: {string.Join(", ", gatewayLimits.Select(l => $"{l.Key} = {l.Value}"))}. Every phase finished with 0 errors (a phase with an error fails the run).{(options.Short ? " **Short mode** (the test suite's check): too few jobs to quote." : "")}"));
        s.AppendLine();
        s.AppendLine("| phase | jobs/s | first frame p50 / p95 / p99 ms | complete p50 / p95 / p99 ms | worker CPU s/job | all services CPU s/job | errors |");
        s.AppendLine("|---|---:|---:|---:|---:|---:|---:|");
        foreach (var p in Phases)
        {
            s.AppendLine(Invariant($"| {p.Name} | {p.JobsPerSecond:F2} | {p.FirstFrame(0.5):F0} / {p.FirstFrame(0.95):F0} / {p.FirstFrame(0.99):F0} | {p.Complete(0.5):F0} / {p.Complete(0.95):F0} / {p.Complete(0.99):F0} | {p.WorkerCpuSecondsPerJob:F3} | {p.ServiceCpuSecondsPerJob:F3} | {p.Errors} |"));
        }
        if (SideBySide is not null)
        {
            s.AppendLine();
            ServiceOverhead.AppendMarkdown(s, SideBySide);
        }
        var oneThread = Phases.FirstOrDefault(p => p.Name.StartsWith("1 worker (1", StringComparison.Ordinal));
        var two = Phases.FirstOrDefault(p => p.Name.StartsWith("2 workers", StringComparison.Ordinal));
        if (oneThread is not null && two is not null)
        {
            s.AppendLine();
            var cores = Environment.ProcessorCount;
            var allowed = cores / two.ServiceCpuSecondsPerJob;
            s.AppendLine(Invariant($"What the cores allow: {cores} cores ÷ {two.ServiceCpuSecondsPerJob:F3} CPU s per job (workers + gateway + Redis, measured in the two-worker phase) = {allowed:F2} jobs/s; two workers reach {two.JobsPerSecond:F2} jobs/s = **{two.JobsPerSecond / allowed:F2}×** (with a single-thread worker: {cores} × {oneThread.JobsPerSecond:F2} jobs/s = {cores * oneThread.JobsPerSecond:F2} jobs/s, two workers reach {two.JobsPerSecond / (cores * oneThread.JobsPerSecond):F2}×). Other processes on this shared machine take the rest of the cores; the load average is above."));
        }
        s.AppendLine();
        s.AppendLine("Redis commands, bytes and memory per job: docs/SCALING.md (\"Redis profile\", written by the same run).");
        var hits = CacheHits.Where(j => j.Error is null).ToList();
        s.AppendLine();
        s.AppendLine(Invariant($"Cache hit (the same image again, {CacheHits.Count} times, one client): first frame p50 **{Percentiles.Of(hits.Select(h => h.FirstFrameMs), 0.5):F1} ms**, p95 {Percentiles.Of(hits.Select(h => h.FirstFrameMs), 0.95):F1} ms; all frames p50 {Percentiles.Of(hits.Select(h => h.CompleteMs), 0.5):F1} ms; reported cached: {CacheHits.Count(h => h.Cached)}/{CacheHits.Count}; errors {CacheHits.Count - hits.Count}."));
        var (streams, wallMs) = Streaming;
        var frames = streams.Sum(r => r.Frames);
        var bytes = streams.Sum(r => r.Bytes);
        var streamErrors = streams.Where(r => r.Error is not null).ToList();
        s.AppendLine();
        s.AppendLine(Invariant($"{streams.Count} concurrent clients streaming finished jobs from one gateway: **{streamErrors.Count} errors**, {frames} frames in {wallMs:F0} ms = {frames / (wallMs / 1000):F0} frames/s, {bytes / (wallMs / 1000) / (1024 * 1024):F1} MiB/s; per stream p50 {Percentiles.Of(streams.Select(r => r.CompleteMs), 0.5):F0} ms, p99 {Percentiles.Of(streams.Select(r => r.CompleteMs), 0.99):F0} ms; {bytes / Math.Max(1, streams.Count) / 1024.0:F0} KiB per job stream."));
        if (streamErrors.Count > 0)
        {
            s.AppendLine();
            s.AppendLine("First stream error: `" + streamErrors[0].Error + "`");
        }
        s.AppendLine();
        var workers = string.Join("; ", WorkerPeakRss.Select(w => Invariant($"{w.MiB:F0} MiB ({w.Workers})")));
        s.AppendLine(Invariant($"Peak RSS (VmHWM): worker {WorkerPeakRss.Select(w => w.MiB).DefaultIfEmpty().Max():F0} MiB, the largest worker over the runs; by configuration: {workers}. Gateway {GatewayPeakRssMiB:F0} MiB (after the streaming clients)."));
        s.AppendLine();
        s.AppendLine("Raw per-job samples (first frame ms / complete ms):");
        s.AppendLine();
        s.AppendLine("```");
        foreach (var p in Phases)
        {
            s.AppendLine(Invariant($"{p.Name} (wall {p.WallMs:F0} ms): {string.Join(" ", p.Jobs.Select(j => $"{j.FirstFrameMs:F0}/{j.CompleteMs:F0}"))}"));
        }
        s.AppendLine(Invariant($"cache hits: {string.Join(" ", CacheHits.Select(j => $"{j.FirstFrameMs:F1}/{j.CompleteMs:F1}"))}"));
        s.AppendLine("```");
        return s.ToString();
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
