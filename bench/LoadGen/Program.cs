using System.Diagnostics;
using System.Globalization;
using SaliencySlider.EngineBench;
using SaliencySlider.LoadGen;

var options = LoadOptions.Parse(args);
var report = new LoadReport(options);
var images = new DistinctImages(options.ImagesDirectory);
await using (var services = new ServiceProcesses(options))
{
    await services.StartRedisAndGatewayAsync();
    using var client = new LoadClient(services.GrpcPort);

    // One worker using both cores, then a second one; each worker process pins 1 intra-op thread when two
    // share the two cores (see the thread table in the engine section).
    await services.StartWorkerAsync(intraOpThreads: Math.Max(1, Environment.ProcessorCount));
    await RunAsync(client, images, 2, 1);
    report.Phases.Add(await PhaseAsync("1 worker (intra-op threads = cores), 1 client: no queueing", services, client, images, Math.Max(4, options.Jobs / 4), 1));
    var before = await RedisStats.ReadAsync(services.RedisPort);
    report.Phases.Add(await PhaseAsync("1 worker (intra-op threads = cores)", services, client, images, options.Jobs, options.Clients));
    report.RedisPerPhase = (RedisStats.Delta(before, await RedisStats.ReadAsync(services.RedisPort)), report.Phases[^1].Jobs.Count);
    report.WorkerPeakRssMiB = services.WorkerPids.Max(ServiceProcesses.PeakRssMiB);
}

await using (var services = new ServiceProcesses(options))
{
    // Cross-job batching: one worker running 4 jobs at once, their gradient and frame runs shared.
    await services.StartRedisAndGatewayAsync();
    using var client = new LoadClient(services.GrpcPort);
    await services.StartWorkerAsync(intraOpThreads: Math.Max(1, Environment.ProcessorCount), concurrency: 4, batchJobs: 4);
    await RunAsync(client, images, 2, 1);
    report.Phases.Add(await PhaseAsync("1 worker, 4 jobs at once, cross-job batching (4 jobs / 20 ms)", services, client, images, options.Jobs, options.Clients));
    report.Phases.Add(await PhaseAsync("1 worker, cross-job batching, 1 client: no queueing", services, client, images, Math.Max(4, options.Jobs / 4), 1));
    report.WorkerPeakRssMiB = Math.Max(report.WorkerPeakRssMiB, services.WorkerPids.Max(ServiceProcesses.PeakRssMiB));
}

await using (var services = new ServiceProcesses(options))
{
    await services.StartRedisAndGatewayAsync();
    using var client = new LoadClient(services.GrpcPort);
    await services.StartWorkerAsync(intraOpThreads: 1);
    await RunAsync(client, images, 2, 1);
    report.Phases.Add(await PhaseAsync("1 worker (1 intra-op thread)", services, client, images, options.Jobs, options.Clients));
    await services.StartWorkerAsync(intraOpThreads: 1);
    report.Phases.Add(await PhaseAsync("2 workers (1 intra-op thread each)", services, client, images, options.Jobs, options.Clients));
    report.WorkerPeakRssMiB = Math.Max(report.WorkerPeakRssMiB, services.WorkerPids.Max(ServiceProcesses.PeakRssMiB));

    // Cache hits: one finished job's image submitted again and again, one client at a time.
    var original = images.Next();
    await client.ExplainAsync(original);
    var cached = new List<JobTimings>();
    for (var i = 0; i < options.CacheHits; i++)
    {
        cached.Add(await client.ExplainAsync(original));
    }
    report.CacheHits = cached;

    // Many concurrent clients streaming finished jobs from one gateway.
    var finished = report.Phases.TakeLast(2).SelectMany(p => p.Jobs).Where(j => j.Error is null).Select(j => j.JobId).ToArray();
    var clock = Stopwatch.StartNew();
    var streams = await Task.WhenAll(Enumerable.Range(0, options.Streamers).Select(i => client.StreamAsync(finished[i % finished.Length])));
    report.Streaming = (streams, clock.Elapsed.TotalMilliseconds);
    report.GatewayPeakRssMiB = ServiceProcesses.PeakRssMiB(services.GatewayPid);
}

var markdown = report.Markdown();
Console.WriteLine(markdown);
if (options.Document is not null)
{
    MarkdownSection.Replace(options.Document, "service", markdown);
}
return report.Phases.Sum(p => p.Jobs.Count(j => j.Error is not null)) + report.Streaming.Results.Count(r => r.Error is not null) == 0 ? 0 : 1;

static async Task<List<JobTimings>> RunAsync(LoadClient client, DistinctImages images, int jobs, int concurrency)
{
    var results = new System.Collections.Concurrent.ConcurrentBag<JobTimings>();
    await Parallel.ForEachAsync(Enumerable.Range(0, jobs), new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (_, _) =>
        results.Add(await client.ExplainAsync(images.Next())));
    return [.. results];
}

static async Task<LoadPhase> PhaseAsync(string name, ServiceProcesses services, LoadClient client, DistinctImages images, int jobs, int concurrency)
{
    var cpu = services.CpuSeconds();
    var clock = Stopwatch.StartNew();
    var results = await RunAsync(client, images, jobs, concurrency);
    var wallMs = clock.Elapsed.TotalMilliseconds;
    var after = services.CpuSeconds();
    var phase = new LoadPhase(name, results, wallMs, (after.Workers - cpu.Workers) / jobs, (after.All - cpu.All) / jobs);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name}: {phase.JobsPerSecond:F2} jobs/s, first frame p50 {phase.FirstFrame(0.5):F0} ms, complete p50 {phase.Complete(0.5):F0} ms, errors {phase.Errors}"));
    return phase;
}
