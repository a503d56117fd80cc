using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using SaliencySlider.EngineBench;

namespace SaliencySlider.LoadGen;

/// <summary>One served model in one cold start: its load (the worker's own log line) and its first and second job.</summary>
internal sealed record ModelColdStart(string Model, double LoadMs, double WarmUpMs, double FirstJobMs, double SecondJobMs);

/// <summary>
/// One worker process started from nothing: process start → /readyz 200, then each served model's first jobs;
/// <paramref name="Stages"/> is where the worker says its start-up went (its "Ready … ms after the process started: …" line).
/// </summary>
internal sealed record ColdStartRun(double ReadyMs, string Stages, IReadOnlyList<ModelColdStart> Models)
{
    /// <summary>Process start → the default (first listed) model's first job done.</summary>
    public double FirstJobDoneMs => ReadyMs + Models[0].FirstJobMs;
}

/// <summary>
/// What KEDA's scale-from-zero costs a user: a worker process started while Redis and the gateway run, timed to
/// ready and to the first job of every served model (each submitted after the previous one finished).
/// </summary>
internal static partial class ColdStart
{
    public static async Task<ColdStartRun> MeasureAsync(ServiceProcesses services, LoadClient client, DistinctImages images, IReadOnlyList<string> models)
    {
        // IntraOpThreads 0: the worker's own default, as a scaled-up pod runs it.
        var worker = await services.StartWorkerAsync(intraOpThreads: 0);
        var log = await File.ReadAllTextAsync(worker.Log);
        var stages = ReadyLine().Match(log) is { Success: true } ready
            ? ready.Groups[1].Value.Trim()
            : throw new BenchmarkFailedException($"cold start: {worker.Log} has no \"Ready … ms after the process started: …\" line");
        var loads = ModelLoaded().Matches(log)
            .ToDictionary(m => m.Groups[1].Value, m => (Load: Number(m.Groups[2]), WarmUp: Number(m.Groups[3])), StringComparer.Ordinal);
        var results = new List<ModelColdStart>();
        foreach (var model in models)
        {
            var first = await client.ExplainAsync(images.Next(), model);
            var second = await client.ExplainAsync(images.Next(), model);
            foreach (var job in new[] { first, second }.Where(j => j.Error is not null))
            {
                throw new BenchmarkFailedException($"cold start: a job on {model} failed: {job.Error}");
            }
            var (load, warmUp) = loads.TryGetValue(model, out var logged)
                ? logged
                : throw new BenchmarkFailedException($"cold start: {worker.Log} has no \"Loaded model {model} … in … ms\" line");
            results.Add(new ModelColdStart(model, load, warmUp, first.CompleteMs, second.CompleteMs));
        }
        await services.StopWorkerAsync(worker.Name);
        Console.WriteLine(Invariant($"cold start: ready {worker.ReadyMs:F0} ms ({stages}); {string.Join(", ", results.Select(r => $"{r.Model} load {r.LoadMs:F0} ms, first job {r.FirstJobMs:F0} ms, second {r.SecondJobMs:F0} ms"))}"));
        return new ColdStartRun(worker.ReadyMs, stages, results);
    }

    public static string Markdown(LoadOptions options, IReadOnlyList<ColdStartRun> runs)
    {
        var s = new StringBuilder();
        s.AppendLine(MachineInfo.GeneratedBy(options.Command, options.RepoRoot));
        s.AppendLine();
        s.AppendLine(Invariant($"Machine: {MachineInfo.Describe()}; load average at the end: {MachineInfo.LoadAverage()}."));
        s.AppendLine(Invariant($"Setup: redis-server and the gateway running; a worker process (Release, `dotnet SaliencySlider.ExplainerWorker.dll`, CPU provider, its default intra-op threads, every served model from `{options.ModelsDirectory}`) started {runs.Count} time(s), each time from nothing but a warm page cache (the model files were read before: a process-cold start, not a disk-cold one). Ready: its /readyz answers 200 (polled every 20 ms), which it does once it has loaded and warmed every model (each model's default-layer gradient session built and run once) and reaches Redis. Then for each model in turn one job (default options, one client, submit → Completed) and a second one; medians over the starts.{(options.Short ? " **Short mode** (the test suite's check): one start, too few to quote." : "")}"));
        s.AppendLine();
        s.AppendLine(Invariant($"Process start → ready: **{Median(runs.Select(r => r.ReadyMs)):F0} ms** (runs: {string.Join(", ", runs.Select(r => r.ReadyMs.ToString("F0", CultureInfo.InvariantCulture)))}); → first job of the default model done: **{Median(runs.Select(r => r.FirstJobDoneMs)):F0} ms**. Target: ready ≤ 3 s on CPU."));
        s.AppendLine();
        s.AppendLine("| model | load + warm-up ms (the worker's log) | of which warm-up ms | first job ms (after ready) | second job ms | first ÷ second |");
        s.AppendLine("|---|---:|---:|---:|---:|---:|");
        foreach (var model in runs[0].Models.Select(m => m.Model))
        {
            var rows = runs.Select(r => r.Models.Single(m => m.Model == model)).ToList();
            var first = Median(rows.Select(r => r.FirstJobMs));
            var second = Median(rows.Select(r => r.SecondJobMs));
            s.AppendLine(Invariant($"| {model} | {Median(rows.Select(r => r.LoadMs)):F0} | {Median(rows.Select(r => r.WarmUpMs)):F0} | {first:F0} | {second:F0} | {first / second:F2} |"));
        }
        var loads = Median(runs.Select(r => r.Models.Sum(m => m.LoadMs)));
        s.AppendLine();
        s.AppendLine(Invariant($"Of the time to ready, loading the models took {loads:F0} ms; the rest ({Median(runs.Select(r => r.ReadyMs)) - loads:F0} ms) is the .NET runtime and host starting, the Redis connection and the HTTP listener, and the polling."));
        s.AppendLine();
        s.AppendLine("Each start as the worker logged it (\"Ready … ms after the process started\"; each stage from the end of the previous one):");
        s.AppendLine();
        foreach (var run in runs)
        {
            s.AppendLine(Invariant($"- ready {run.ReadyMs:F0} ms: {run.Stages}"));
        }
        return s.ToString();
    }

    private static double Median(IEnumerable<double> values) => Percentiles.Of(values, 0.5);

    private static double Number(Group group) => double.Parse(group.Value, CultureInfo.InvariantCulture);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    // WorkerLog.Ready's message.
    [GeneratedRegex(@"Ready \d+ ms after the process started: (.*)")]
    private static partial Regex ReadyLine();

    // WorkerLog.ModelLoaded's message.
    [GeneratedRegex(@"Loaded model (\S+) on \S+ in (\d+) ms \(warm-up (\d+) ms\)")]
    private static partial Regex ModelLoaded();
}
